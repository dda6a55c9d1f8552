import { inEnglish } from './english';
import { readAnswerBody } from './answer-body';
import { capText, MAX_DETAIL_BYTES } from './text-limits';

/**
 * What an AI Ops answer means for a delivery, and when to try again. The one place that decides
 * whether a delivery is accepted, retried or rejected, and whose fix it is when it fails.
 */

export type AiOpsAnswer =
  | { kind: 'response'; status: number; body: string; retryAfterHeader?: string | null }
  | { kind: 'network-error'; message: string }
  | { kind: 'timeout'; timeoutMs: number }
  /** The Forge egress proxy refused the host (a `forge-proxy-error` answer or a ProxyRequestError). */
  | { kind: 'egress-refused'; host: string; code: string };

/**
 * Whose move it is when a run fails: a Jira admin's (configuration), the agent owner's (the agent's
 * schema refused the payload, or the agent reported a failure), nobody's yet (AI Ops unreachable).
 */
export type FailureCause = 'configuration' | 'payload' | 'outage' | 'agent' | 'issue' | 'user';

/** `excerpt`: the text of an error page AI Ops (or what stands in front of it) answered, for the details. */
export type DeliveryOutcome =
  | { kind: 'accepted'; executionId: string; httpStatus: number }
  | { kind: 'retry'; reason: string; httpStatus?: number; retryAfterSeconds?: number; excerpt?: string }
  | { kind: 'rejected'; reason: string; httpStatus?: number; cause: FailureCause; excerpt?: string };

/** Why the platform refused to send: the host is not approved for this site. */
export function egressRefusalReason(host: string): string {
  return inEnglish({ key: 'reason.egress', params: { host } });
}

/** What AI Ops said, short enough to store and read; an HTML page is named, never pasted. */
function detailOf(body: string): string | undefined {
  const read = readAnswerBody(body);
  const detail = read.kind === 'json' ? read.detail : read.kind === 'text' ? read.text : undefined;
  // A detail can be anything up to the whole body: it is kept short enough to store and read.
  return detail === undefined ? undefined : capText(detail, MAX_DETAIL_BYTES, 'detail');
}

/** Parses Retry-After (seconds or HTTP date) into whole seconds from `nowMs`. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** The statuses AI Ops answers before it reads the payload; their texts are under `reason.*` in src/locales. */
const REJECTION_REASONS: Record<number, string> = {
  401: 'secretMismatch',
  403: 'agentInactive',
  404: 'agentUnknown',
  422: 'agentIdInvalid',
};

export interface ClassifyOptions {
  /** Strict payload mode was on for this request (a 400 then cannot be about extra fields). */
  strictPayload?: boolean;
}

/** Schema messages that name a property the agent does not expect (JSON Schema "additionalProperties"). */
const UNEXPECTED_PROPERTY = /additional propert|unexpected|not allowed|extra (field|propert|input)s?/i;

export function classifyAnswer(answer: AiOpsAnswer, nowMs: number, options: ClassifyOptions = {}): DeliveryOutcome {
  if (answer.kind === 'network-error') {
    return { kind: 'retry', reason: inEnglish({ key: 'reason.unreachable', params: { detail: capText(answer.message, MAX_DETAIL_BYTES) } }) };
  }
  if (answer.kind === 'timeout') {
    return { kind: 'retry', reason: inEnglish({ key: 'reason.noAnswer', params: { seconds: Math.round(answer.timeoutMs / 1000) } }) };
  }
  if (answer.kind === 'egress-refused') {
    return { kind: 'rejected', reason: egressRefusalReason(answer.host), cause: 'configuration' };
  }
  const { status, body } = answer;
  const page = readAnswerBody(body);
  // An HTML page where the API answers JSON: most likely the web UI's address, or a proxy in front.
  if (page.kind === 'html' && !(status >= 200 && status < 300)) {
    const retry = status === 408 || status === 429 || status >= 500;
    const key = `reason.${retry ? 'htmlBusy' : 'htmlPage'}${page.title ? 'Titled' : ''}`;
    const reason = inEnglish({ key, params: { status, title: page.title ?? '' } });
    return retry
      ? { kind: 'retry', httpStatus: status, reason, retryAfterSeconds: parseRetryAfter(answer.retryAfterHeader, nowMs), excerpt: page.text }
      : { kind: 'rejected', httpStatus: status, reason, cause: 'configuration', excerpt: page.text };
  }
  const detail = detailOf(body);
  // Each reason has a variant that ends with what AI Ops said (`<key>Detail`, or `statusDetail`).
  const withDetail = (key: string, params: Record<string, string | number> = {}) =>
    inEnglish(detail ? { key: `reason.${key}Detail`, params: { ...params, detail } } : { key: `reason.${key}`, params });

  if (status === 202 || status === 200 || status === 201) {
    let executionId: unknown;
    try {
      executionId = (JSON.parse(body) as { execution_id?: unknown }).execution_id;
    } catch {
      executionId = undefined;
    }
    if (typeof executionId === 'string' && executionId.length > 0 && executionId.length <= 200) {
      return { kind: 'accepted', executionId, httpStatus: status };
    }
    return { kind: 'rejected', httpStatus: status, reason: inEnglish({ key: 'reason.noExecutionId', params: { status } }), cause: 'configuration' };
  }
  if (status === 400) {
    const suggestStrict = !options.strictPayload && detail !== undefined && detail.startsWith('Payload validation failed') && UNEXPECTED_PROPERTY.test(detail);
    return { kind: 'rejected', httpStatus: status, reason: withDetail(suggestStrict ? 'strictNeeded' : 'payloadRefused'), cause: suggestStrict ? 'configuration' : 'payload' };
  }
  const rejection = REJECTION_REASONS[status];
  if (rejection) return { kind: 'rejected', httpStatus: status, reason: withDetail(rejection), cause: 'configuration' };
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      httpStatus: status,
      reason: withDetail('status', { status }),
      retryAfterSeconds: parseRetryAfter(answer.retryAfterHeader, nowMs),
    };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'rejected', httpStatus: status, reason: inEnglish({ key: 'reason.redirect', params: { status } }), cause: 'configuration' };
  }
  return { kind: 'rejected', httpStatus: status, reason: withDetail('status', { status }), cause: 'configuration' };
}

/** The longest delay the platform allows for one queue event or retry. */
export const MAX_PLATFORM_DELAY_SECONDS = 900;

/**
 * Seconds to wait before attempt `nextAttempt` (2, 3, ...): exponential from 15 s, doubled each time,
 * and never shorter than the server's Retry-After. Waits beyond the platform's 900 s are chained
 * (see `nextDelaySeconds`).
 */
export function backoffSeconds(nextAttempt: number, retryAfterSeconds?: number): number {
  const exponential = Math.min(15 * 2 ** Math.max(0, nextAttempt - 2), MAX_PLATFORM_DELAY_SECONDS);
  return Math.max(exponential, retryAfterSeconds ?? 0);
}

/**
 * A wait as the platform can do it: hops of at most 900 s. The first hop takes the remainder, so
 * every later one is a full 900 s; counting hops (not reading the clock) says when the wait is over.
 */
export function waitInHops(delaySeconds: number): { firstSeconds: number; hopsAfter: number } {
  const total = Math.max(1, Math.ceil(delaySeconds));
  const hops = Math.ceil(total / MAX_PLATFORM_DELAY_SECONDS);
  return { firstSeconds: total - (hops - 1) * MAX_PLATFORM_DELAY_SECONDS, hopsAfter: hops - 1 };
}

/** How often the scheduled check looks at runs waiting for AI Ops to come back. */
export const WAITING_RECHECK_MS = 5 * 60_000;

/**
 * The longest Retry-After honoured as a retry (1 h). A longer one (a misconfigured or hostile
 * server can send a year) is read as an outage: the run waits for AI Ops like any other, within
 * the outage horizon, and never parks past its deadlines.
 */
export const MAX_HONOURED_RETRY_AFTER_SECONDS = 3_600;

export type NextStep =
  | { next: 'done' }
  | { next: 'retry'; dueAtMs: number }
  /** AI Ops is unreachable: the run waits for the scheduled check to see it healthy again. */
  | { next: 'wait'; recheckAtMs: number }
  | { next: 'fail' };

/**
 * What follows an attempt. Retryable answers are retried with backoff up to the attempt limit;
 * after that, a run keeps waiting for AI Ops to come back until it is older than the outage
 * horizon. A resumed run (one attempt after an outage) that fails again while AI Ops answers is
 * not an outage: it fails.
 */
export function nextStep(
  outcome: DeliveryOutcome,
  ctx: { attempt: number; attemptLimit: number; resumed: boolean; createdAtMs: number; outageHorizonHours: number; nowMs: number },
): NextStep {
  if (outcome.kind !== 'retry') return outcome.kind === 'accepted' ? { next: 'done' } : { next: 'fail' };
  const retryAfter = outcome.retryAfterSeconds === undefined ? undefined : Math.min(outcome.retryAfterSeconds, MAX_HONOURED_RETRY_AFTER_SECONDS);
  const beyondCeiling = (outcome.retryAfterSeconds ?? 0) > MAX_HONOURED_RETRY_AFTER_SECONDS;
  if (!ctx.resumed && ctx.attempt < ctx.attemptLimit && !beyondCeiling) {
    return { next: 'retry', dueAtMs: ctx.nowMs + backoffSeconds(ctx.attempt + 1, retryAfter) * 1000 };
  }
  const unreachable = outcome.httpStatus === undefined || outcome.httpStatus === 429 || outcome.httpStatus >= 502;
  const withinHorizon = ctx.nowMs - ctx.createdAtMs < ctx.outageHorizonHours * 3_600_000;
  if (withinHorizon && (unreachable || !ctx.resumed)) {
    const retryAfterMs = (retryAfter ?? 0) * 1000;
    return { next: 'wait', recheckAtMs: ctx.nowMs + Math.max(WAITING_RECHECK_MS, retryAfterMs) };
  }
  return { next: 'fail' };
}
