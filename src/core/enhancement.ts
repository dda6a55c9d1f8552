import type { DeliveryOutcome } from './delivery-policy';
import type { KeyEncoding } from './signing';
import type { SecretScope } from './settings';

/**
 * The life of one delivery of an issue to the Ticket Enhancer ("a run"), and the rules for
 * moving it from state to state. A run never moves backwards.
 */

export type RunStatus =
  | 'skipped'
  | 'queued'
  | 'retrying'
  | 'accepted'
  | 'running'
  | 'completed'
  | 'failed'
  | 'timed-out';

export type RunTrigger = 'created' | 'updated' | 'rerun' | 'redeliver';

export interface AttemptRecord {
  attempt: number;
  at: string;
  httpStatus?: number;
  latencyMs: number;
  outcome: 'accepted' | 'retry' | 'rejected';
  reason?: string;
  /** Set when another attempt follows: how long the platform waits before it. */
  retryInSeconds?: number;
}

export type EnhancementResult = string | Record<string, string>;

export interface DeliveryRun {
  deliveryId: string;
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
  trigger: RunTrigger;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  attemptLimit: number;
  attempts: AttemptRecord[];
  nextAttemptAt?: string;
  executionId?: string;
  httpStatus?: number;
  latencyMs?: number;
  reason?: string;
  result?: EnhancementResult;
  bytesSent?: number;
  /** Which secret and encoding signed it, so a callback can be verified with the same key. */
  secretScope?: SecretScope;
  keyEncoding?: KeyEncoding;
  finishedAt?: string;
}

const RANK: Record<RunStatus, number> = {
  queued: 0,
  retrying: 1,
  accepted: 2,
  running: 3,
  skipped: 4,
  completed: 4,
  failed: 4,
  'timed-out': 4,
};

export function isTerminal(status: RunStatus): boolean {
  return RANK[status] === 4;
}

export interface AttemptFacts {
  attempt: number;
  atMs: number;
  latencyMs: number;
  bytesSent: number;
  nextAttemptAtMs?: number;
}

/** Records one POST to AI Ops; `nextAttemptAtMs` is set when another attempt will follow. */
export function recordAttempt(run: DeliveryRun, outcome: DeliveryOutcome, facts: AttemptFacts): DeliveryRun {
  const at = new Date(facts.atMs).toISOString();
  const attempt: AttemptRecord = {
    attempt: facts.attempt,
    at,
    httpStatus: outcome.httpStatus,
    latencyMs: facts.latencyMs,
    outcome: outcome.kind,
    reason: outcome.kind === 'accepted' ? undefined : outcome.reason,
    ...(facts.nextAttemptAtMs !== undefined ? { retryInSeconds: Math.round((facts.nextAttemptAtMs - facts.atMs) / 1000) } : {}),
  };
  const base: DeliveryRun = {
    ...run,
    attempts: [...run.attempts.filter((a) => a.attempt !== facts.attempt), attempt],
    updatedAt: at,
    httpStatus: outcome.httpStatus,
    latencyMs: facts.latencyMs,
    bytesSent: facts.bytesSent,
    nextAttemptAt: undefined,
  };
  if (outcome.kind === 'accepted') {
    return { ...base, status: 'accepted', executionId: outcome.executionId, reason: undefined };
  }
  if (outcome.kind === 'retry' && facts.nextAttemptAtMs !== undefined) {
    return { ...base, status: 'retrying', reason: outcome.reason, nextAttemptAt: new Date(facts.nextAttemptAtMs).toISOString() };
  }
  const reason =
    outcome.kind === 'retry' ? `gave up after ${facts.attempt} attempt${facts.attempt === 1 ? '' : 's'}: ${outcome.reason}` : outcome.reason;
  return { ...base, status: 'failed', reason, finishedAt: at };
}

/** A run that ends without a POST (issue deleted, configuration missing, egress refused). */
export function endRun(run: DeliveryRun, status: 'skipped' | 'failed' | 'timed-out', reason: string, atMs: number): DeliveryRun {
  const at = new Date(atMs).toISOString();
  return { ...run, status, reason, updatedAt: at, finishedAt: at, nextAttemptAt: undefined };
}

export interface ResultMessage {
  executionId: string;
  status: 'running' | 'completed' | 'failed' | 'timed-out';
  result?: EnhancementResult;
  error?: string;
}

/**
 * What AI Ops said about a run (by callback or poll), stored as its own record per status so that
 * two messages racing each other can never overwrite a later state with an earlier one.
 */
export interface ResultFact {
  deliveryId: string;
  executionId: string;
  status: 'running' | 'completed' | 'failed' | 'timed-out';
  at: string;
  result?: EnhancementResult;
  error?: string;
  via: 'callback' | 'poll';
}

export function resultFact(deliveryId: string, message: ResultMessage, atMs: number, via: ResultFact['via']): ResultFact {
  return {
    deliveryId,
    executionId: message.executionId,
    status: message.status,
    at: new Date(atMs).toISOString(),
    ...(message.status === 'completed' ? { result: message.result } : {}),
    ...(message.status === 'failed' || message.status === 'timed-out' ? { error: message.error ?? 'no reason given' } : {}),
    via,
  };
}

/** A run as the user sees it: the delivery record with the furthest result fact applied. */
export function currentRun(run: DeliveryRun, facts: readonly ResultFact[]): DeliveryRun {
  const mine = facts.filter((fact) => fact.deliveryId === run.deliveryId);
  // A run that already ended on its own (rejected, skipped) keeps that ending.
  if (isTerminal(run.status) || mine.length === 0) return run;
  const furthest = mine.reduce((best, fact) => (RANK[fact.status] > RANK[best.status] ? fact : best));
  if (RANK[furthest.status] < RANK[run.status]) return run;
  const merged: DeliveryRun = {
    ...run,
    status: furthest.status,
    executionId: run.executionId ?? furthest.executionId,
    updatedAt: furthest.at > run.updatedAt ? furthest.at : run.updatedAt,
    nextAttemptAt: undefined,
  };
  if (furthest.status === 'completed') return { ...merged, result: furthest.result, reason: undefined, finishedAt: furthest.at };
  if (furthest.status === 'failed') return { ...merged, reason: `the Ticket Enhancer failed: ${furthest.error ?? 'no reason given'}`, finishedAt: furthest.at };
  if (furthest.status === 'timed-out') return { ...merged, reason: furthest.error, finishedAt: furthest.at };
  return merged;
}

/** Newest first; keeps the panel and the delivery lists to a readable size. */
export function newestFirst(runs: DeliveryRun[]): DeliveryRun[] {
  return [...runs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
