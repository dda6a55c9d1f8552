import type { DeliveryOutcome, FailureCause } from './delivery-policy';
import type { KeyEncoding } from './signing';
import type { ResultMode, SecretScope } from './settings';
import { capText, MAX_REASON_BYTES, MAX_RESULT_BYTES } from './text-limits';
import type { Suggestions } from './analysis';

/**
 * The life of one delivery of an issue to the Ticket Enhancer ("a run"), and the rules for moving
 * it from state to state. Every writer merges through these functions, so a run never moves
 * backwards whatever order the news arrives in.
 *
 *   queued ──attempt──> accepted ──result──> running ──> completed | failed
 *     │  └─> retrying ─┘    │                    └────────> timed out ──late result──> completed
 *     │        └─> failed   └─ a newer run's comment ──> superseded
 *     └─> failed | skipped (nothing sent) ; cancelled (by a user, while waiting)
 */

export type RunStatus =
  | 'skipped'
  | 'queued'
  | 'retrying'
  | 'waiting'
  | 'accepted'
  | 'running'
  | 'completed'
  | 'failed'
  | 'timed-out'
  | 'superseded'
  | 'cancelled';

export type RunTrigger = 'created' | 'updated' | 'rerun' | 'redeliver' | 'test' | 'bulk' | 'automation';

export interface AttemptRecord {
  attempt: number;
  at: string;
  httpStatus?: number;
  latencyMs: number;
  outcome: 'accepted' | 'retry' | 'rejected';
  reason?: string;
  /** Set when another attempt follows: how long the platform waits before it. */
  retryInSeconds?: number;
  /** The text of the error page AI Ops answered, for the details (up to 1 KiB). */
  excerpt?: string;
}

/** A result posted as a Jira comment by the AI Ops platform's account: the comment stays in Jira. */
export interface CommentResult {
  kind: 'comment';
  commentId: string;
  authorAccountId: string;
  authorName?: string;
  created: string;
  updated?: string;
  deleted?: boolean;
  /** A Jira Service Management request's comment that customers can see (portal and e-mail). */
  customerVisible?: boolean;
}

/** A result of named sections, as a callback or a status URL sends it: its own shape, never a comment's. */
export interface SectionsResult {
  kind: 'sections';
  sections: Array<{ title: string; body: string }>;
}

/** `Record<string, string>`: sections as runs stored them before `SectionsResult` (read, never written). */
export type EnhancementResult = string | SectionsResult | CommentResult | Record<string, string>;

export function isCommentResult(result: EnhancementResult | undefined): result is CommentResult {
  return typeof result === 'object' && result !== null && (result as CommentResult).kind === 'comment' && typeof (result as CommentResult).commentId === 'string';
}

/** The named sections of a result that has them (a callback or status URL result, or an older stored one). */
export function sectionsOf(result: EnhancementResult | undefined): Array<{ title: string; body: string }> | undefined {
  if (result === undefined || typeof result === 'string' || isCommentResult(result)) return undefined;
  if ((result as SectionsResult).kind === 'sections' && Array.isArray((result as SectionsResult).sections)) return (result as SectionsResult).sections;
  return Object.entries(result as Record<string, string>).map(([title, body]) => ({ title, body: String(body) }));
}

/** At most this many sections are kept; the rest are counted in a last section. */
export const MAX_SECTIONS = 50;

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
  /** The most recent attempts (at most ATTEMPTS_KEPT); `attemptCount` counts them all. */
  attempts: AttemptRecord[];
  /**
   * The attempt a consumer claimed before sending (compare-and-set on the run): a second copy of
   * the same queue event, which the platform may deliver at the same time, finds it and stops.
   */
  sending?: { attempt: number; at: string };
  /** When the scheduled check took its one early look at the issue's comments (comment results). */
  earlyLookAt?: string;
  attemptCount?: number;
  nextAttemptAt?: string;
  executionId?: string;
  acceptedAt?: string;
  httpStatus?: number;
  latencyMs?: number;
  reason?: string;
  /** Whose move it is when the run failed, timed out or was refused. */
  failureCause?: FailureCause;
  result?: EnhancementResult;
  bytesSent?: number;
  /** How the result comes back, chosen when the run was accepted. */
  resultMode?: ResultMode;
  /** Comment mode: the account the AI Ops platform comments as. */
  resultAccount?: { accountId: string; displayName?: string };
  /** When a run that AI Ops accepted is timed out without a result. */
  resultDeadline?: string;
  /** Which secret and encoding signed it, so a callback can be verified with the same key. */
  secretScope?: SecretScope;
  keyEncoding?: KeyEncoding;
  /** Fingerprint of the key that signed the last attempt (tells whether a secret ever worked). */
  keyFingerprint?: string;
  finishedAt?: string;
  /** Set when a result arrived after the run had timed out: when it timed out. */
  timedOutAt?: string;
  /** When AI Ops sent the newest message applied to this run (its signed `webhook-timestamp`). */
  lastMessageAt?: string;
  /** Who started a re-run, redelivery or test. */
  requestedBy?: string;
  /** How often the scheduled check sent this run again after it stalled. */
  sweepResumes?: number;
  /** The version of the connection settings the last attempt used. */
  settingsVersion?: number;
  /** The bulk run (redelivery or enhancement of existing tickets) this run belongs to. */
  bulkId?: string;
  /** The Automation rule that sent it, when an Automation action did. */
  automationRule?: string;
  /** The `timestamp` of the payload AI Ops accepted: the run marker's value with the strict payload. */
  markerTimestamp?: string;
  /** A Jira Service Management request, whose comments may reach customers. */
  serviceDesk?: boolean;
  /** The AI Ops admin added the run marker to the agent's instructions: a comment without it is not a result. */
  markerExpected?: boolean;
  /** How the result comment was tied to this run: its run marker, or its author and time. */
  matchedBy?: 'marker' | 'author-time';
  /** Other comments by the AI Ops account that concern this run, not taken as its result. */
  extraComments?: ExtraComment[];
  /** The result came from AI Ops' record of the run (the lookup), not from Jira: it was never posted there. */
  resultFromRecord?: { recordId: string; why: 'no-comment' | 'comment-refused'; detail?: string };
  /** The last look at AI Ops' records of this run. */
  lookup?: LookupNote;
  /** The project's auto-apply of suggested labels when AI Ops accepted the run (not set: off). */
  autoApply?: { mode: 'dry-run' | 'on'; threshold: number };
  /** Suggestions a callback or status URL sent beside the result (a comment carries its own block). */
  suggestions?: Suggestions;
  /** What people did with the result: suggestions applied or dismissed, links, replies (newest last). */
  actions?: ResultAction[];
  /** Was the result helpful, by account (one vote each, changeable). */
  feedback?: Record<string, ResultFeedback>;
  /** Its suggestions were counted as offered (once, when first shown). */
  suggestionsCounted?: boolean;
  /** The last forwarding of feedback to AI Ops. */
  feedbackForwarded?: { at: string; ok: boolean; detail?: string };
  /**
   * Queued, but the queue refused its push (the per-installation push limit): whoever clears this
   * flag (a write checked against the version read) pushes it, so it is pushed once.
   */
  awaitingPush?: boolean;
}

/** One thing a person (or the project's auto-apply) did with a result. */
export interface ResultAction {
  kind: 'applied' | 'dismissed' | 'linked' | 'replied' | 'auto-applied' | 'would-apply';
  /** The field a suggestion was for (labels, priority, components, issuetype), or the linked issue key. */
  target: string;
  /** What was written (or would have been), in words. */
  value?: string;
  /** The value it replaced, when it replaced one. */
  replaced?: string;
  by?: string;
  at: string;
}

export const ACTIONS_KEPT = 50;

export interface ResultFeedback {
  helpful: boolean;
  reason?: string;
  at: string;
}

/** At most this many people's feedback is kept per run. */
export const FEEDBACK_KEPT = 100;

export function recordAction(run: DeliveryRun, action: ResultAction): DeliveryRun {
  return { ...run, actions: [...(run.actions ?? []), action].slice(-ACTIONS_KEPT), updatedAt: action.at };
}

/** A comment by the AI Ops account that is not this run's result. */
export interface ExtraComment {
  commentId: string;
  created: string;
  /** 'duplicate': a second comment for a run that had its result; 'unmarked': no run marker while one is expected. */
  why: 'duplicate' | 'unmarked';
}

/** At most this many extra comments are kept per run. */
export const EXTRA_COMMENTS_KEPT = 10;

/** What the last look at AI Ops' execution records found. */
export interface LookupNote {
  at: string;
  /** 'unavailable': the routes answered 401, 403 or 404 (or not at all); 'none': no finished attempt yet. */
  found: 'completed' | 'failed' | 'none' | 'unavailable';
  /** Finished attempts of this run AI Ops recorded. */
  attempts?: number;
  detail?: string;
  /** Requests the lookup made. */
  requests?: number;
  /** Record ids found to be this run's, and ids found to be other runs' (not fetched again). */
  ours?: string[];
  seen?: string[];
}

/** Records a comment the run did not take; a repeat of one already noted changes nothing. */
export function noteExtraComment(run: DeliveryRun, extra: ExtraComment, atMs: number): DeliveryRun | undefined {
  if (run.extraComments?.some((c) => c.commentId === extra.commentId)) return undefined;
  if (isCommentResult(run.result) && run.result.commentId === extra.commentId) return undefined;
  return { ...run, extraComments: [...(run.extraComments ?? []), extra].slice(-EXTRA_COMMENTS_KEPT), updatedAt: new Date(atMs).toISOString() };
}

export const ATTEMPTS_KEPT = 10;

const RANK: Record<RunStatus, number> = {
  queued: 0,
  retrying: 1,
  waiting: 1,
  accepted: 2,
  running: 3,
  'timed-out': 4,
  superseded: 4,
  skipped: 5,
  completed: 5,
  failed: 5,
  cancelled: 5,
};

/** Finished: nothing more is expected (a timed-out or superseded run may still be completed late). */
export function isFinished(status: RunStatus): boolean {
  return RANK[status] >= 4;
}

/** Final: nothing can change it any more. */
export function isFinal(status: RunStatus): boolean {
  return RANK[status] === 5;
}

/** Runs a scheduled sweep watches: not finished, with a deadline. */
export function isOpen(status: RunStatus): boolean {
  return !isFinished(status);
}

export function attemptCount(run: DeliveryRun): number {
  return run.attemptCount ?? run.attempts.length;
}

export interface AttemptFacts {
  attempt: number;
  atMs: number;
  latencyMs: number;
  bytesSent: number;
  nextAttemptAtMs?: number;
  /** Accepted runs: how results come back and until when. */
  result?: { mode: ResultMode; account?: DeliveryRun['resultAccount']; timeLimitMinutes: number; marker?: boolean };
  /** The `timestamp` field of the payload this attempt sent. */
  payloadTimestamp?: string;
  /** The issue is a Jira Service Management request. */
  serviceDesk?: boolean;
  /** The project's auto-apply of suggested labels. */
  autoApply?: DeliveryRun['autoApply'];
  /** The version of the connection settings this attempt used. */
  settingsVersion?: number;
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
    reason: outcome.kind === 'accepted' ? undefined : capText(outcome.reason, MAX_REASON_BYTES),
    ...(outcome.kind !== 'accepted' && outcome.excerpt ? { excerpt: capText(outcome.excerpt, 1024, 'page') } : {}),
    ...(facts.nextAttemptAtMs !== undefined ? { retryInSeconds: Math.round((facts.nextAttemptAtMs - facts.atMs) / 1000) } : {}),
  };
  const attempts = [...run.attempts.filter((a) => a.attempt !== facts.attempt), attempt].slice(-ATTEMPTS_KEPT);
  const base: DeliveryRun = {
    ...run,
    attempts,
    attemptCount: Math.max(attemptCount(run), facts.attempt),
    ...(facts.settingsVersion !== undefined ? { settingsVersion: facts.settingsVersion } : {}),
    updatedAt: at,
    httpStatus: outcome.httpStatus,
    latencyMs: facts.latencyMs,
    bytesSent: facts.bytesSent,
    nextAttemptAt: undefined,
  };
  if (outcome.kind === 'accepted') {
    const limit = facts.result?.timeLimitMinutes ?? 30;
    return {
      ...base,
      status: 'accepted',
      executionId: outcome.executionId,
      acceptedAt: at,
      reason: undefined,
      resultMode: facts.result?.mode,
      resultAccount: facts.result?.account,
      ...(facts.payloadTimestamp ? { markerTimestamp: facts.payloadTimestamp } : {}),
      ...(facts.result?.marker && facts.result.mode === 'comment' ? { markerExpected: true } : {}),
      ...(facts.serviceDesk ? { serviceDesk: true } : {}),
      ...(facts.autoApply ? { autoApply: facts.autoApply } : {}),
      resultDeadline: new Date(facts.atMs + limit * 60_000).toISOString(),
    };
  }
  if (outcome.kind === 'retry' && facts.nextAttemptAtMs !== undefined) {
    return { ...base, status: 'retrying', reason: attempt.reason, nextAttemptAt: new Date(facts.nextAttemptAtMs).toISOString() };
  }
  const reason =
    outcome.kind === 'retry' ? `gave up after ${facts.attempt} attempt${facts.attempt === 1 ? '' : 's'}: ${outcome.reason}` : outcome.reason;
  return { ...base, status: 'failed', reason: capText(reason, MAX_REASON_BYTES), failureCause: outcome.kind === 'rejected' ? outcome.cause : 'outage', finishedAt: at };
}

/** AI Ops is unreachable beyond the retries: the run waits for the scheduled check to resume it. */
export function markWaiting(run: DeliveryRun, recheckAtMs: number, atMs: number): DeliveryRun {
  const last = run.attempts[run.attempts.length - 1]?.reason ?? 'no answer';
  return {
    ...run,
    status: 'waiting',
    nextAttemptAt: new Date(recheckAtMs).toISOString(),
    reason: capText(`AI Ops is not answering (${last}); the delivery waits for it to come back and resumes on its own`, MAX_REASON_BYTES),
    updatedAt: new Date(atMs).toISOString(),
  };
}

/** A run that ends without a POST (issue deleted, configuration missing, egress refused). */
export function endRun(run: DeliveryRun, status: 'skipped' | 'failed' | 'timed-out' | 'cancelled', reason: string, atMs: number, cause?: FailureCause): DeliveryRun {
  const at = new Date(atMs).toISOString();
  return { ...run, status, reason: capText(reason, MAX_REASON_BYTES), ...(cause ? { failureCause: cause } : {}), updatedAt: at, finishedAt: at, nextAttemptAt: undefined };
}

/** What AI Ops (or its agent) said about an accepted run: by callback, status URL, or a Jira comment. */
export interface ResultMessage {
  executionId?: string;
  status: 'running' | 'completed' | 'failed' | 'timed-out';
  result?: EnhancementResult;
  error?: string;
  /** Whose move it is when the run ends without a result (default: the agent's). */
  cause?: FailureCause;
  /** When the sender signed it (`webhook-timestamp`), when it said. */
  sentAtMs?: number;
  /** Suggestions sent beside the result. */
  suggestions?: Suggestions;
}

export type ResultSource = 'callback' | 'poll' | 'comment' | 'sweep';

/**
 * Applies a result to a run, or returns undefined when it changes nothing (a repeat, an earlier
 * state arriving late, a run that never reached AI Ops). A late completion still completes a run
 * that had timed out; an edited or deleted result comment updates the completed run it produced.
 */
export function applyResult(run: DeliveryRun, message: ResultMessage, atMs: number, source: ResultSource): DeliveryRun | undefined {
  const at = new Date(atMs).toISOString();
  if (run.status === 'completed') {
    // Only the comment that produced the result may change it (edited or deleted).
    if (message.status === 'completed' && isCommentResult(run.result) && isCommentResult(message.result) && run.result.commentId === message.result.commentId) {
      const next: CommentResult = { ...run.result, ...message.result };
      return JSON.stringify(next) === JSON.stringify(run.result) ? undefined : { ...run, result: next, updatedAt: at };
    }
    return undefined;
  }
  // Nothing reached AI Ops, or the run already ended for good.
  if (isFinal(run.status) || RANK[run.status] < RANK.accepted) return undefined;
  if (source !== 'comment' && source !== 'sweep' && message.executionId && run.executionId && message.executionId !== run.executionId) return undefined;
  // Only the comment trigger and the scheduled check record a comment as a result.
  if ((source === 'callback' || source === 'poll') && isCommentResult(message.result)) return undefined;
  // A "running" or "failed" signed before the newest message this run took is old news (a replay,
  // or a message overtaken on the way): it cannot move the run.
  const stale = message.sentAtMs !== undefined && run.lastMessageAt !== undefined && message.sentAtMs < Date.parse(run.lastMessageAt);
  if (stale && (message.status === 'running' || message.status === 'failed')) return undefined;
  const sent = message.sentAtMs !== undefined && Number.isFinite(message.sentAtMs) ? { lastMessageAt: new Date(Math.max(message.sentAtMs, Date.parse(run.lastMessageAt ?? '') || 0)).toISOString() } : {};
  switch (message.status) {
    case 'running':
      return run.status === 'accepted' ? { ...run, ...sent, status: 'running', updatedAt: at } : undefined;
    case 'completed':
      return {
        ...run,
        ...sent,
        status: 'completed',
        result: limitResult(message.result),
        ...(message.suggestions ? { suggestions: message.suggestions } : {}),
        reason: undefined,
        failureCause: undefined,
        updatedAt: at,
        finishedAt: at,
        // A late result: the counters move this run from timed out to completed.
        ...(run.status === 'timed-out' ? { timedOutAt: run.finishedAt } : {}),
      };
    case 'failed':
      return { ...run, ...sent, status: 'failed', reason: capText(`the Ticket Enhancer failed: ${message.error ?? 'no reason given'}`, MAX_REASON_BYTES), failureCause: message.cause ?? 'agent', updatedAt: at, finishedAt: at };
    case 'timed-out':
      if (run.status !== 'accepted' && run.status !== 'running') return undefined;
      return { ...run, status: 'timed-out', reason: capText(message.error ?? 'no result arrived in time', MAX_REASON_BYTES), failureCause: message.cause ?? 'agent', updatedAt: at, finishedAt: at };
    default:
      return undefined;
  }
}

/**
 * Keeps a result inside one stored value: texts are capped in bytes; sections share the budget,
 * at most MAX_SECTIONS of them, and what did not fit is counted in a last section.
 */
export function limitResult(result: EnhancementResult | undefined): EnhancementResult | undefined {
  if (result === undefined || isCommentResult(result)) return result;
  if (typeof result === 'string') return capText(result, MAX_RESULT_BYTES, 'result');
  const all = sectionsOf(result) ?? [];
  let budget = MAX_RESULT_BYTES - 1024;
  const sections: SectionsResult['sections'] = [];
  for (const section of all) {
    if (sections.length >= MAX_SECTIONS || budget <= 256) break;
    const title = capText(String(section.title), 200);
    const body = capText(String(section.body), Math.max(0, budget - Buffer.byteLength(title) - 32), 'section');
    sections.push({ title, body });
    budget -= Buffer.byteLength(title) + Buffer.byteLength(body) + 32;
  }
  const left = all.length - sections.length;
  if (left > 0) sections.push({ title: 'More sections', body: `[${left} more section${left === 1 ? '' : 's'} left out: a result keeps at most ${MAX_SECTIONS} sections and ${MAX_RESULT_BYTES} bytes]` });
  return { kind: 'sections', sections };
}

/** What a callback or status URL sent as a result object: its sections, values that are not text shown as JSON. */
export function sectionsFrom(value: Record<string, unknown>): SectionsResult {
  return { kind: 'sections', sections: Object.entries(value).map(([title, body]) => ({ title, body: typeof body === 'string' ? body : JSON.stringify(body, null, 2) })) };
}

/** A newer run completed from the AI Ops comment: older accepted runs of the issue are superseded. */
export function supersede(run: DeliveryRun, byDeliveryId: string, atMs: number): DeliveryRun | undefined {
  if (run.status !== 'accepted' && run.status !== 'running') return undefined;
  const at = new Date(atMs).toISOString();
  return { ...run, status: 'superseded', reason: `a later run (${byDeliveryId}) received the AI Ops result`, updatedAt: at, finishedAt: at };
}

/** Newest first; keeps the panel and the delivery lists to a readable size. */
export function newestFirst(runs: DeliveryRun[]): DeliveryRun[] {
  return [...runs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
