import type { DeliveryRun, RunStatus } from './enhancement';
import type { Message } from './i18n';

/**
 * Bulk runs: many issues sent at the pace the queue and AI Ops allow, in chunks, by the queue
 * itself, so a bulk run goes on when the page that started it is closed. Two kinds: redelivering
 * runs that failed (for a time range and a reason), and enhancing existing tickets found by JQL.
 * A bulk run never sends an issue twice: each issue's delivery id names the bulk run.
 */

export type BulkKind = 'redeliver' | 'enhance';
export type BulkState = 'running' | 'paused' | 'cancelled' | 'done';

export interface RedeliverFilter {
  statuses: Array<'failed' | 'timed-out' | 'cancelled'>;
  /** ISO time: runs created at or after. */
  since: string;
  until?: string;
  httpStatus?: number;
  /** Case-insensitive text the run's reason must contain. */
  reasonContains?: string;
}

export interface EnhanceFilter {
  jql: string;
}

export interface BulkRun {
  id: string;
  kind: BulkKind;
  /** The project it is limited to; none: the whole site (Jira admins). */
  projectId?: string;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  state: BulkState;
  filter: RedeliverFilter | EnhanceFilter;
  /** The most issues this run sends; the admin confirmed it. */
  cap: number;
  /** What the count said when the admin confirmed. */
  expected: number;
  queued: number;
  skipped: number;
  /** Why issues were skipped: left out by the project's filters, not browsable by the starter, moved to another project, gone, already sent. */
  skips?: Partial<Record<SkipReason, number>>;
  /** Where the listing goes on next (the index cursor, or the JQL page token). */
  cursor?: string;
  /** Redelivery walks one status after another. */
  statusIndex?: number;
  lastError?: string;
  finishedAt?: string;
}

export type SkipReason = 'excluded' | 'hidden' | 'moved' | 'gone' | 'duplicate';

export const DEFAULT_BULK_CAP = 500;
export const MAX_BULK_CAP = 5000;
/** Issues started per chunk: one queue push of at most 50 events carries them. */
export const BULK_CHUNK = 25;

export const REDELIVERABLE: ReadonlySet<RunStatus> = new Set<RunStatus>(['failed', 'timed-out', 'cancelled']);

/** Whether a stored run matches a redelivery filter (the index already picked status and time). */
export function matchesRedeliver(run: DeliveryRun, filter: RedeliverFilter): boolean {
  if (!REDELIVERABLE.has(run.status) || !(filter.statuses as string[]).includes(run.status)) return false;
  if (run.createdAt < filter.since) return false;
  if (filter.until && run.createdAt > filter.until) return false;
  if (filter.httpStatus !== undefined && run.httpStatus !== filter.httpStatus) return false;
  if (filter.reasonContains && !(run.reason ?? '').toLowerCase().includes(filter.reasonContains.toLowerCase())) return false;
  return true;
}

/** A problem with what was typed, named by field; `text` is worded for the reader by the resolver. */
export interface FilterProblem {
  field: string;
  text: Message;
}

export type FilterCheck<T> = { ok: true; filter: T } | { ok: false; errors: FilterProblem[] };

/** Checks a redelivery filter as typed on a page; every problem is named. */
export function readRedeliverFilter(input: unknown, nowMs: number): FilterCheck<RedeliverFilter> {
  const raw = (input ?? {}) as Record<string, unknown>;
  const errors: FilterProblem[] = [];
  const statuses = (Array.isArray(raw.statuses) && raw.statuses.length > 0 ? raw.statuses : ['failed', 'timed-out']).map(String);
  const unknown = statuses.filter((s) => !REDELIVERABLE.has(s as RunStatus));
  if (unknown.length > 0) errors.push({ field: 'statuses', text: { key: 'bulkError.statuses', params: { statuses: unknown.join(', ') } } });
  const since = typeof raw.since === 'string' && raw.since.trim() ? Date.parse(raw.since) : nowMs - 24 * 3_600_000;
  if (Number.isNaN(since)) errors.push({ field: 'since', text: { key: 'bulkError.since' } });
  const until = typeof raw.until === 'string' && raw.until.trim() ? Date.parse(raw.until) : undefined;
  if (until !== undefined && Number.isNaN(until)) errors.push({ field: 'until', text: { key: 'bulkError.until' } });
  if (until !== undefined && !Number.isNaN(since) && until < since) errors.push({ field: 'until', text: { key: 'bulkError.untilBeforeSince' } });
  let httpStatus: number | undefined;
  if (raw.httpStatus !== undefined && raw.httpStatus !== '' && raw.httpStatus !== null) {
    httpStatus = Number(raw.httpStatus);
    if (!Number.isInteger(httpStatus) || httpStatus < 100 || httpStatus > 599) errors.push({ field: 'httpStatus', text: { key: 'bulkError.httpStatus' } });
  }
  const reasonContains = typeof raw.reasonContains === 'string' && raw.reasonContains.trim() ? raw.reasonContains.trim().slice(0, 200) : undefined;
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    filter: {
      statuses: statuses as RedeliverFilter['statuses'],
      since: new Date(since).toISOString(),
      ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(reasonContains ? { reasonContains } : {}),
    },
  };
}

export function readCap(input: unknown): number | { error: Message } {
  if (input === undefined || input === null || input === '') return DEFAULT_BULK_CAP;
  const cap = Number(input);
  if (!Number.isInteger(cap) || cap < 1 || cap > MAX_BULK_CAP) return { error: { key: 'bulkError.cap', params: { max: MAX_BULK_CAP } } };
  return cap;
}

/** An issue a bulk run found, with the fields the project's filters read. */
export interface BulkCandidate {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
  issueType: { id: string; name: string };
  priority?: { id: string; name: string };
  labels: string[];
}

/**
 * A bulk run may only ever reach the projects it was scoped to: a candidate from anywhere else
 * means the query escaped its scope, and the run stops rather than send it. Returns the stop
 * reason (English, stored and shown with the run), or undefined.
 */
export function escapedScope(candidates: BulkCandidate[], allowedProjectIds: ReadonlySet<string>): string | undefined {
  const foreign = candidates.find((candidate) => !allowedProjectIds.has(candidate.projectId));
  if (!foreign) return undefined;
  return `stopped: Jira returned ${foreign.issueKey} of project ${foreign.projectKey || foreign.projectId}, which this run may not send to; nothing of it was sent`;
}

/** Adds skipped issues to a bulk run's counts. */
export function withSkips(bulk: BulkRun, skips: Partial<Record<SkipReason, number>>): BulkRun {
  const merged: Partial<Record<SkipReason, number>> = { ...(bulk.skips ?? {}) };
  let added = 0;
  for (const [reason, n] of Object.entries(skips) as Array<[SkipReason, number]>) {
    if (!n) continue;
    merged[reason] = (merged[reason] ?? 0) + n;
    added += n;
  }
  return { ...bulk, skipped: bulk.skipped + added, skips: merged };
}

/** Seconds between chunks, so a bulk run drains at about the pace the queue's concurrency allows. */
export function chunkSpacingSeconds(concurrency: number): number {
  return Math.max(5, Math.ceil(BULK_CHUNK / Math.max(1, concurrency)) * 3);
}

export function bulkProgress(bulk: BulkRun): { percent: number; text: string } {
  const target = Math.max(1, Math.min(bulk.cap, bulk.expected));
  const done = bulk.queued + bulk.skipped;
  const percent = bulk.state === 'done' ? 100 : Math.min(99, Math.round((done / target) * 100));
  const verb = bulk.kind === 'redeliver' ? 'redelivered' : 'sent';
  const state = bulk.state === 'paused' || bulk.state === 'cancelled' ? ` (${bulk.state})` : '';
  return { percent, text: `${bulk.queued} of ${Math.min(bulk.cap, bulk.expected)} ${verb}${bulk.skipped ? `, ${bulk.skipped} skipped` : ''}${state}` };
}
