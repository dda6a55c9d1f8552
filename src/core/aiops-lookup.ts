import { adfToPlainText } from './adf-text';
import type { AiOpsAnswer } from './delivery-policy';
import { applyResult, endRun, type DeliveryRun, type LookupNote } from './enhancement';
import { inEnglish } from './english';

/**
 * Looking a run up in AI Ops' execution records (AIOPS-CONTRACT "Looking a run up"): the agent's
 * history lists finished attempts (newest first, without the task id); each record, fetched by its
 * id, names the task (`task_id` = the 202's `execution_id`), its status, its error and its trace.
 * The routes are unofficial and take only an `X-Tenant-ID` header today; 401, 403 and 404 mean
 * "not available here" (they may move behind a login), never that the run failed.
 */

/** History entries read per lookup (one request). */
export const HISTORY_PAGE = 50;
/** Execution records fetched per lookup, at most: a lookup costs 1 + this many requests. */
export const RECORDS_PER_LOOKUP = 5;
/** Record ids remembered per run as "not this run's", so the next lookup goes on from there. */
export const SEEN_KEPT = 100;
/** The platform runs a task at most four times (one attempt and three retries). */
export const MAX_PLATFORM_ATTEMPTS = 4;
/** A failed attempt with nothing newer for this long is the task's last: the platform retries within minutes. */
export const FAILURE_QUIET_MS = 10 * 60_000;
/** Records are matched from a little before acceptance, for clocks that disagree. */
const CLOCK_SLACK_MS = 5 * 60_000;

export interface HistoryEntry {
  recordId: string;
  at?: string;
  status?: string;
}

export interface TraceStep {
  step_type?: string;
  tool_name?: string;
  tool_args?: Record<string, unknown>;
  tool_result?: unknown;
  response?: unknown;
}

export interface ExecutionRecord {
  id: string;
  taskId?: string;
  status: 'completed' | 'failed' | 'other';
  errorMessage?: string;
  at?: string;
  steps: TraceStep[];
}

export type Readout<T> = { ok: true; value: T } | { ok: false; unavailable: boolean; reason: string };

function notAvailable(answer: AiOpsAnswer, what: string): Readout<never> {
  if (answer.kind === 'response') {
    const unavailable = answer.status === 401 || answer.status === 403 || answer.status === 404;
    return { ok: false, unavailable, reason: `${what} answered ${answer.status}` };
  }
  if (answer.kind === 'egress-refused') return { ok: false, unavailable: true, reason: `egress to ${answer.host} is not approved` };
  if (answer.kind === 'timeout') return { ok: false, unavailable: false, reason: `${what} did not answer within ${Math.round(answer.timeoutMs / 1000)} s` };
  return { ok: false, unavailable: false, reason: `${what} could not be reached: ${answer.message}` };
}

function parsed(answer: AiOpsAnswer): unknown {
  if (answer.kind !== 'response') return undefined;
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** `GET {base}/api/agents/{agent_id}/history?start_date=…&limit=…` for the run accepted at `acceptedAt`. */
export function historyPath(agentId: string, acceptedAtMs: number): string {
  const day = new Date(acceptedAtMs - CLOCK_SLACK_MS).toISOString().slice(0, 10);
  return `/api/agents/${encodeURIComponent(agentId)}/history?start_date=${day}&limit=${HISTORY_PAGE}`;
}

export function recordPath(recordId: string): string {
  return `/api/executions/${encodeURIComponent(recordId)}`;
}

export function readHistory(answer: AiOpsAnswer): Readout<HistoryEntry[]> {
  if (answer.kind !== 'response' || answer.status !== 200) return notAvailable(answer, 'the history route');
  const body = parsed(answer) as { records?: unknown } | undefined;
  if (!body || !Array.isArray(body.records)) return { ok: false, unavailable: true, reason: 'the history route answered something other than its records' };
  const entries = body.records.flatMap((raw): HistoryEntry[] => {
    const record = raw as { execution_id?: unknown; timestamp?: unknown; status?: unknown };
    const recordId = text(record?.execution_id);
    return recordId ? [{ recordId, at: text(record.timestamp), status: text(record.status) }] : [];
  });
  return { ok: true, value: entries };
}

export function readRecord(answer: AiOpsAnswer): Readout<ExecutionRecord> {
  if (answer.kind !== 'response' || answer.status !== 200) return notAvailable(answer, 'the execution route');
  const body = parsed(answer) as Record<string, unknown> | undefined;
  const id = text(body?.id);
  if (!body || !id) return { ok: false, unavailable: true, reason: 'the execution route answered something other than a record' };
  const output = body.output_data as { steps?: unknown } | undefined;
  const status = body.status === 'completed' || body.status === 'success' ? 'completed' : body.status === 'failed' ? 'failed' : 'other';
  return {
    ok: true,
    value: {
      id,
      taskId: text(body.task_id),
      status,
      errorMessage: text(body.error_message),
      at: text(body.created_at),
      steps: Array.isArray(output?.steps) ? (output.steps as TraceStep[]).filter((step) => step && typeof step === 'object') : [],
    },
  };
}

/** History entries worth fetching: written since the run was accepted, not already known not to be it. */
export function entriesToFetch(entries: HistoryEntry[], acceptedAtMs: number, seen: ReadonlySet<string>): HistoryEntry[] {
  return entries
    .filter((entry) => !seen.has(entry.recordId))
    .filter((entry) => {
      const at = Date.parse(entry.at ?? '');
      return !Number.isFinite(at) || at >= acceptedAtMs - CLOCK_SLACK_MS;
    })
    .slice(0, RECORDS_PER_LOOKUP);
}

/** Jira refuses a comment over this many characters. */
export const JIRA_COMMENT_LIMIT = 32_767;

export interface TraceReading {
  /** The analysis the model wrote, from the comment tool call's arguments or its last answer. */
  analysis?: string;
  /** Whether the trace holds a comment tool call, and whether its result reads as a failure. */
  comment: 'posted' | 'refused' | 'none';
  /** What the comment tool answered when it failed (the trace keeps its first 500 characters). */
  commentError?: string;
}

const COMMENT_TOOL = /comment/i;
const FAILED_TOOL_RESULT = /\b(error|errors|exception|failed|too long|exceeds|invalid|not allowed|forbidden|[45]\d\d)\b/i;

/** Reads what the agent did from the trace: did it post a comment, and what did it write. */
export function readTrace(record: ExecutionRecord): TraceReading {
  const calls = record.steps.filter((step) => step.step_type === 'tool_call' && COMMENT_TOOL.test(step.tool_name ?? ''));
  const last = calls.at(-1);
  const final = [...record.steps].reverse().find((step) => step.step_type === 'llm_response');
  const argument = last ? (last.tool_args?.comment ?? last.tool_args?.body ?? last.tool_args?.text) : undefined;
  const analysis = typeof argument === 'string' ? argument : argument !== undefined ? adfToPlainText(argument) : text(final?.response);
  if (!last) return { comment: 'none', ...(analysis ? { analysis } : {}) };
  const result = typeof last.tool_result === 'string' ? last.tool_result : JSON.stringify(last.tool_result ?? '');
  if (FAILED_TOOL_RESULT.test(result)) return { comment: 'refused', commentError: result.slice(0, 500), ...(analysis ? { analysis } : {}) };
  return { comment: 'posted', ...(analysis ? { analysis } : {}) };
}

export type LookupVerdict =
  /** AI Ops finished the run: the analysis, and whether the agent says it commented. */
  | { kind: 'completed'; record: ExecutionRecord; trace: TraceReading; attempts: number }
  /** AI Ops gave up on the run (its last attempt failed, with no retry to come). */
  | { kind: 'failed'; record: ExecutionRecord; attempts: number }
  /** An attempt failed and the platform may still try again. */
  | { kind: 'retrying'; record: ExecutionRecord; attempts: number }
  /** No finished attempt of this run (yet): records exist only once an attempt has ended. */
  | { kind: 'none' };

/**
 * What this run's records say: the newest completed attempt if there is one, else the last failed
 * one, final once the platform cannot retry any more (four attempts, ten quiet minutes, or the
 * run's deadline passed).
 */
export function verdict(ours: ExecutionRecord[], nowMs: number, pastDeadline: boolean): LookupVerdict {
  if (ours.length === 0) return { kind: 'none' };
  const byTime = [...ours].sort((a, b) => (Date.parse(b.at ?? '') || 0) - (Date.parse(a.at ?? '') || 0));
  const completed = byTime.find((record) => record.status === 'completed');
  if (completed) return { kind: 'completed', record: completed, trace: readTrace(completed), attempts: ours.length };
  const newest = byTime[0];
  const quiet = nowMs - (Date.parse(newest.at ?? '') || 0) >= FAILURE_QUIET_MS;
  if (ours.length >= MAX_PLATFORM_ATTEMPTS || quiet || pastDeadline) return { kind: 'failed', record: newest, attempts: ours.length };
  return { kind: 'retrying', record: newest, attempts: ours.length };
}

/** What a lookup changes on a run waiting for its result, or undefined when it changes nothing but the note. */
export function runAfterLookup(run: DeliveryRun, found: LookupVerdict, note: LookupNote, nowMs: number): DeliveryRun | undefined {
  const at = new Date(nowMs).toISOString();
  const noted: DeliveryRun = { ...run, lookup: note, updatedAt: at };
  if (!['accepted', 'running', 'timed-out'].includes(run.status)) return undefined;
  if (found.kind === 'failed') {
    const error = found.record.errorMessage ?? 'no error message';
    return endRun(noted, 'failed', inEnglish({ key: 'reason.failedAtAiops', params: { error, n: found.attempts } }), nowMs, 'agent');
  }
  if (found.kind !== 'completed' || found.trace.comment === 'posted') return noted;
  // AI Ops finished, and no comment reached Jira: the analysis from its record, marked as such.
  const analysis = found.trace.analysis;
  if (!analysis) return endRun(noted, 'failed', inEnglish({ key: 'reason.finishedWithoutAnalysis' }), nowMs, 'agent');
  const tooLong = analysis.length > JIRA_COMMENT_LIMIT;
  const why = found.trace.comment === 'refused' || tooLong ? 'comment-refused' : 'no-comment';
  const detail = tooLong ? inEnglish({ key: 'lookup.tooLong', params: { n: analysis.length, max: JIRA_COMMENT_LIMIT } }) : found.trace.commentError;
  const completed = applyResult(noted, { status: 'completed', result: analysis }, nowMs, 'sweep');
  return completed ? { ...completed, resultFromRecord: { recordId: found.record.id, why, ...(detail ? { detail } : {}) } } : noted;
}
