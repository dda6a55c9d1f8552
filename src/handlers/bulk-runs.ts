/**
 * Bulk runs, shared by the admin page (site-wide) and the project page (one project): count what a
 * filter matches, start after the admin confirms, then the queue works through it in chunks at the
 * delivery pace, so it goes on when the page is closed. Pause, resume and cancel take effect at the
 * next chunk.
 */
import { randomBytes } from 'node:crypto';
import { BULK_CHUNK, bulkProgress, chunkSpacingSeconds, matchesRedeliver, readCap, readRedeliverFilter, type BulkRun, type EnhanceFilter, type RedeliverFilter } from '../core/bulk';
import type { DeliveryJob } from '../core/delivery-job';
import { getBulk, listBulks, saveBulk } from '../forge/bulk-store';
import { approximateIssueCount, searchIssuesAsApp } from '../forge/jira-adapter';
import { enqueue } from '../forge/platform';
import { listRunsByStatus } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { rememberAccounts } from './personal-data';
import { ResolverError } from './resolver-context';
import { startDelivery } from './start-delivery';
import { say, type Message, type Translate } from '../core/i18n';

export interface BulkScope {
  projectId?: string;
  accountId: string;
}

/** Ids sort newest first in storage: the time is inverted. */
function newBulkId(nowMs: number): string {
  return `${String(9_999_999_999_999 - nowMs).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
}

const summary = (bulk: BulkRun) => ({ id: bulk.id, kind: bulk.kind, state: bulk.state, createdAt: bulk.createdAt, cap: bulk.cap, expected: bulk.expected, queued: bulk.queued, skipped: bulk.skipped, lastError: bulk.lastError, progress: bulkProgress(bulk) });

/** Redelivery: how many stored runs match, counted up to one more than the cap. */
async function countRedeliverable(filter: RedeliverFilter, projectId: string | undefined, cap: number): Promise<number> {
  let count = 0;
  for (const status of filter.statuses) {
    let cursor: string | undefined;
    do {
      const page = await listRunsByStatus(status, { projectId }, filter.since, 100, cursor);
      count += page.runs.filter((run) => matchesRedeliver(run, filter)).length;
      cursor = page.nextCursor;
    } while (cursor && count <= cap);
  }
  return count;
}

/** A project's enhancement JQL stays inside the project, whatever was typed. */
export function scopedJql(jql: string, projectId: string | undefined): string {
  return projectId ? `project = ${projectId} AND (${jql})` : `(${jql})`;
}

/** The query without its ORDER BY: the bulk run orders by issue id itself. */
const withoutOrder = (jql: string) => jql.replace(/\s+ORDER\s+BY\s+[\s\S]*$/i, '');

/** What was typed, checked and counted; problems are worded with `t`, the reader's locale. */
export async function previewBulk(kind: unknown, input: unknown, scope: BulkScope, t: Translate) {
  const problem = (field: string, text: Message) => ({ field, message: say(t, text) });
  const cap = readCap((input as { cap?: unknown } | undefined)?.cap);
  if (typeof cap !== 'number') return { ok: false, errors: [problem('cap', cap.error)] };
  if (kind === 'redeliver') {
    const filter = readRedeliverFilter(input, Date.now());
    if (!filter.ok) return { ok: false, errors: filter.errors.map((error) => problem(error.field, error.text)) };
    return { ok: true, count: await countRedeliverable(filter.filter, scope.projectId, cap), cap };
  }
  if (kind === 'enhance') {
    const jql = String((input as { jql?: unknown } | undefined)?.jql ?? '').trim();
    if (!jql) return { ok: false, errors: [problem('jql', { key: 'bulkError.jqlRequired' })] };
    const counted = await approximateIssueCount(scopedJql(withoutOrder(jql), scope.projectId));
    if (!counted.ok) return { ok: false, errors: [{ field: 'jql', message: counted.reason }] };
    return { ok: true, count: counted.count, cap };
  }
  throw new ResolverError(400, 'kind must be redeliver or enhance');
}

export async function startBulk(kind: unknown, input: unknown, scope: BulkScope, t: Translate) {
  const preview = await previewBulk(kind, input, scope, t);
  if (!preview.ok || preview.count === undefined) return preview;
  if (preview.count === 0) return { ok: false, errors: [{ field: 'filter', message: t('bulkError.nothing') }] };
  const now = Date.now();
  const filter: RedeliverFilter | EnhanceFilter =
    kind === 'redeliver' ? (readRedeliverFilter(input, now) as { ok: true; filter: RedeliverFilter }).filter : { jql: String((input as { jql: string }).jql).trim() };
  const bulk: BulkRun = {
    id: newBulkId(now),
    kind: kind as BulkRun['kind'],
    ...(scope.projectId ? { projectId: scope.projectId } : {}),
    requestedBy: scope.accountId,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    state: 'running',
    filter,
    cap: preview.cap!,
    expected: preview.count,
    queued: 0,
    skipped: 0,
  };
  await rememberAccounts([scope.accountId]);
  await saveBulk(bulk);
  await enqueue({ kind: 'bulk', bulkId: bulk.id });
  return { ok: true, bulk: summary(bulk) };
}

export async function controlBulk(id: unknown, action: unknown, scope: BulkScope) {
  if (typeof id !== 'string') throw new ResolverError(400, 'id is required');
  const bulk = await getBulk(id);
  // Found only within the scope the page's context names.
  if (!bulk || bulk.projectId !== scope.projectId) throw new ResolverError(404, 'no such bulk run here');
  const next: BulkRun['state'] | undefined =
    action === 'pause' && bulk.state === 'running' ? 'paused' : action === 'resume' && bulk.state === 'paused' ? 'running' : action === 'cancel' && (bulk.state === 'running' || bulk.state === 'paused') ? 'cancelled' : undefined;
  if (!next) throw new ResolverError(409, `a ${bulk.state} bulk run cannot be told to ${String(action)}`);
  const updated: BulkRun = { ...bulk, state: next, updatedAt: new Date().toISOString(), ...(next === 'cancelled' ? { finishedAt: new Date().toISOString() } : {}) };
  await saveBulk(updated);
  if (next === 'running') await enqueue({ kind: 'bulk', bulkId: bulk.id });
  return { ok: true, bulk: summary(updated) };
}

export async function listBulkRuns(scope: BulkScope) {
  return { bulks: (await listBulks(scope.projectId)).map(summary) };
}

interface Candidate {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
}

/** The next candidates of a bulk run, and where the listing goes on. */
async function nextCandidates(bulk: BulkRun, room: number): Promise<{ items: Candidate[]; cursor?: string; statusIndex?: number; exhausted: boolean }> {
  if (bulk.kind === 'enhance') {
    // By issue id, after the last one taken: the query's results change as issues are sent (the
    // default JQL leaves out enhanced ones), so page tokens over it would skip issues.
    const after = bulk.cursor && /^\d+$/.test(bulk.cursor) ? bulk.cursor : '0';
    const found = await searchIssuesAsApp(`${scopedJql(withoutOrder((bulk.filter as EnhanceFilter).jql), bulk.projectId)} AND id > ${after} ORDER BY id ASC`, room);
    if (!found.ok) throw new Error(found.reason);
    return { items: found.issues, cursor: found.issues.at(-1)?.issueId ?? bulk.cursor, exhausted: found.issues.length < room };
  }
  const filter = bulk.filter as RedeliverFilter;
  let statusIndex = bulk.statusIndex ?? 0;
  let cursor = bulk.cursor;
  const items: Candidate[] = [];
  while (statusIndex < filter.statuses.length && items.length < room) {
    const page = await listRunsByStatus(filter.statuses[statusIndex], { projectId: bulk.projectId }, filter.since, room, cursor);
    for (const run of page.runs) if (matchesRedeliver(run, filter)) items.push({ issueId: run.issueId, issueKey: run.issueKey, projectId: run.projectId, projectKey: run.projectKey });
    cursor = page.nextCursor;
    if (!cursor) statusIndex += 1;
  }
  return { items, cursor, statusIndex, exhausted: statusIndex >= filter.statuses.length };
}

/** One chunk of a bulk run, run by the delivery queue's consumer. */
export async function processBulkChunk(bulkId: string): Promise<void> {
  const bulk = await getBulk(bulkId);
  if (!bulk || bulk.state !== 'running') return;
  const global = await loadGlobalSettings();
  const room = Math.min(BULK_CHUNK, bulk.cap - bulk.queued);
  let next: BulkRun = { ...bulk, updatedAt: new Date().toISOString() };
  try {
    const batch = room > 0 ? await nextCandidates(bulk, room) : { items: [], exhausted: true, cursor: undefined, statusIndex: bulk.statusIndex };
    const jobs: DeliveryJob[] = [];
    let skipped = 0;
    for (const candidate of batch.items) {
      const project = await loadProjectSettings(candidate.projectId);
      // The delivery id names the bulk run: an issue is sent once per bulk run, whatever happens.
      const started = await startDelivery(candidate, bulk.kind === 'redeliver' ? 'redeliver' : 'bulk', `bulk-${bulk.id}`, global, project, {
        requestedBy: bulk.requestedBy,
        bulkId: bulk.id,
        defer: true,
      });
      if (started.started && started.job) jobs.push(started.job);
      else skipped += 1;
    }
    if (jobs.length > 0) await enqueue(jobs, 0, global?.deliveryConcurrency);
    const queued = bulk.queued + jobs.length;
    const finished = batch.exhausted || queued >= bulk.cap;
    next = { ...next, queued, skipped: bulk.skipped + skipped, cursor: batch.cursor, statusIndex: batch.statusIndex, ...(finished ? { state: 'done', finishedAt: new Date().toISOString() } : {}) };
  } catch (error) {
    // Stops for a person to look: the error is shown with Resume next to it.
    next = { ...next, state: 'paused', lastError: error instanceof Error ? error.message : String(error) };
  }
  // A pause or cancel that came in meanwhile stands.
  const latest = await getBulk(bulkId);
  if (latest && latest.state !== 'running' && next.state === 'running') next = { ...next, state: latest.state };
  await saveBulk(next);
  if (next.state === 'running') await enqueue({ kind: 'bulk', bulkId }, chunkSpacingSeconds(global?.deliveryConcurrency ?? 5));
}
