import type { AiOpsAnswer } from './delivery-policy';
import { sectionsFrom, type EnhancementResult, type ResultMessage } from './enhancement';

/**
 * Reading a status URL's answer (results by pull): common status words are mapped, an unknown
 * one is shown as it came, and the poll schedule backs off up to a time limit.
 */

export type PollReading =
  | { kind: 'final'; message: ResultMessage }
  | { kind: 'pending'; status: 'queued' | 'running'; shownAs: string }
  | { kind: 'unreadable'; reason: string };

const RUNNING = new Set(['running', 'started', 'in_progress', 'in-progress', 'processing', 'progress']);
const QUEUED = new Set(['queued', 'pending', 'received', 'scheduled', 'waiting']);
const DONE = new Set(['completed', 'complete', 'success', 'succeeded', 'done', 'finished']);
const FAILED = new Set(['failed', 'failure', 'error', 'errored', 'cancelled', 'canceled', 'revoked', 'timeout']);

function asResult(value: unknown): EnhancementResult | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return sectionsFrom(value as Record<string, unknown>);
  }
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value, null, 2);
}

export function readStatusAnswer(answer: AiOpsAnswer, executionId: string): PollReading {
  if (answer.kind === 'timeout') return { kind: 'unreadable', reason: `the status URL did not answer within ${Math.round(answer.timeoutMs / 1000)} s` };
  if (answer.kind === 'network-error') return { kind: 'unreadable', reason: `the status URL could not be reached: ${answer.message}` };
  if (answer.kind === 'egress-refused') return { kind: 'unreadable', reason: `egress to ${answer.host} is not approved, so the status URL cannot be read` };
  if (answer.status === 404) return { kind: 'unreadable', reason: 'the status URL answered 404: check the status URL template' };
  if (answer.status === 401 || answer.status === 403) return { kind: 'unreadable', reason: `the status URL answered ${answer.status}: check its auth header` };
  if (answer.status < 200 || answer.status >= 300) return { kind: 'unreadable', reason: `the status URL answered ${answer.status}` };
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return { kind: 'unreadable', reason: 'the status URL did not answer with a JSON object (is it an HTML page?)' };
  }
  const raw = typeof body.status === 'string' ? body.status : typeof body.state === 'string' ? body.state : undefined;
  if (!raw) return { kind: 'unreadable', reason: 'the status answer has no "status" field' };
  const word = raw.toLowerCase();
  if (DONE.has(word)) return { kind: 'final', message: { executionId, status: 'completed', result: asResult(body.result ?? body.output) } };
  if (FAILED.has(word)) {
    const error = typeof body.error === 'string' ? body.error : typeof body.detail === 'string' ? body.detail : raw;
    return { kind: 'final', message: { executionId, status: 'failed', error } };
  }
  if (RUNNING.has(word)) return { kind: 'pending', status: 'running', shownAs: raw };
  if (QUEUED.has(word)) return { kind: 'pending', status: 'queued', shownAs: raw };
  return { kind: 'pending', status: 'running', shownAs: raw };
}

/** Seconds before poll number `poll` (1, 2, ...): 5, 10, 20, ... capped at 120. */
export function pollDelaySeconds(poll: number): number {
  return Math.min(5 * 2 ** Math.max(0, poll - 1), 120);
}
