/**
 * What an AI Ops answer means for a delivery, and when to try again. The one place that decides
 * whether a delivery is accepted, retried or rejected.
 */

export type AiOpsAnswer =
  | { kind: 'response'; status: number; body: string; retryAfterHeader?: string | null }
  | { kind: 'network-error'; message: string }
  | { kind: 'timeout'; timeoutMs: number };

export type DeliveryOutcome =
  | { kind: 'accepted'; executionId: string; httpStatus: number }
  | { kind: 'retry'; reason: string; httpStatus?: number; retryAfterSeconds?: number }
  | { kind: 'rejected'; reason: string; httpStatus?: number };

export const EGRESS_BLOCKED_MARKER = 'egress-not-approved';

function detailOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'detail' in parsed) {
      const detail = (parsed as { detail: unknown }).detail;
      if (typeof detail === 'string') return detail;
      // FastAPI validation errors: [{ loc, msg, type }]
      if (Array.isArray(detail)) {
        return detail
          .map((d) => (d && typeof d === 'object' && 'msg' in d ? `${(d.loc ?? []).join('.')}: ${d.msg}` : JSON.stringify(d)))
          .join('; ');
      }
      return JSON.stringify(detail);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 0 ? text.slice(0, 300) : undefined;
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

const REJECTION_REASONS: Record<number, string> = {
  400: 'the agent rejected the payload',
  401: 'the HMAC secret does not match the agent\'s secret (check the secret and its key encoding)',
  403: 'the agent is not active',
  404: 'no agent with this id exists on the AI Ops platform',
  422: 'the agent id is not a valid UUID',
};

export function classifyAnswer(answer: AiOpsAnswer, nowMs: number): DeliveryOutcome {
  if (answer.kind === 'network-error') {
    return { kind: 'retry', reason: `AI Ops could not be reached: ${answer.message}` };
  }
  if (answer.kind === 'timeout') {
    return { kind: 'retry', reason: `AI Ops did not answer within ${Math.round(answer.timeoutMs / 1000)} s` };
  }
  const { status, body } = answer;
  const detail = detailOf(body);
  const withDetail = (text: string) => (detail ? `${text}: ${detail}` : text);

  if (status === 202 || status === 200 || status === 201) {
    let executionId: unknown;
    try {
      executionId = (JSON.parse(body) as { execution_id?: unknown }).execution_id;
    } catch {
      executionId = undefined;
    }
    if (typeof executionId === 'string' && executionId.length > 0) {
      return { kind: 'accepted', executionId, httpStatus: status };
    }
    return { kind: 'rejected', httpStatus: status, reason: `${status} from AI Ops without an execution_id; is the base URL the AI Ops API?` };
  }
  if (body.includes(EGRESS_BLOCKED_MARKER)) {
    return { kind: 'rejected', httpStatus: status, reason: 'egress to the AI Ops host is not approved: an admin must approve it on the app\'s admin page' };
  }
  if (status === 400 && detail?.startsWith('Payload validation failed')) {
    return {
      kind: 'rejected',
      httpStatus: status,
      reason: withDetail('400 from AI Ops: the agent\'s JSON Schema rejected the payload (turn on strict payload mode if it forbids extra fields)'),
    };
  }
  const rejection = REJECTION_REASONS[status];
  if (rejection) return { kind: 'rejected', httpStatus: status, reason: withDetail(`${status} from AI Ops: ${rejection}`) };
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      httpStatus: status,
      reason: withDetail(`${status} from AI Ops`),
      retryAfterSeconds: parseRetryAfter(answer.retryAfterHeader, nowMs),
    };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'rejected', httpStatus: status, reason: `${status} redirect from AI Ops: set the base URL to the final address` };
  }
  return { kind: 'rejected', httpStatus: status, reason: withDetail(`${status} from AI Ops`) };
}

export const MAX_PLATFORM_DELAY_SECONDS = 900;

/**
 * Seconds to wait before attempt `nextAttempt` (2, 3, ...): exponential from 15 s, doubled each time,
 * capped at the platform's 900 s, and never shorter than the server's Retry-After.
 */
export function backoffSeconds(nextAttempt: number, retryAfterSeconds?: number): number {
  const exponential = 15 * 2 ** Math.max(0, nextAttempt - 2);
  const wanted = Math.max(exponential, retryAfterSeconds ?? 0);
  return Math.min(wanted, MAX_PLATFORM_DELAY_SECONDS);
}
