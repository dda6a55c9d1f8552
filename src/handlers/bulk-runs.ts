/**
 * Bulk runs, shared by the admin page (site-wide) and the project page (one project): count what a
 * filter matches, start after the admin confirms, then the queue works through it in chunks at the
 * delivery pace, so it goes on when the page is closed. Pause, resume and cancel take effect at the
 * next chunk.
 */
import { randomBytes } from 'node:crypto';
import { BULK_CHUNK, bulkProgress, chunkSpacingSeconds, escapedScope, matchesRedeliver, readCap, readRedeliverFilter, withSkips, type BulkCandidate, type BulkRun, type EnhanceFilter, type RedeliverFilter, type SkipReason } from '../core/bulk';
import { decideEligibility } from '../core/eligibility';
import type { DeliveryRun } from '../core/enhancement';
import { scopedJql, typedJqlProblem, withoutOrderBy } from '../core/jql-scope';
import type { ProjectSettings } from '../core/settings';
import type { DeliveryJob } from '../core/delivery-job';
import { getBulk, handOverBulk, listBulks, saveBulk } from '../forge/bulk-store';
import { approximateIssueCount, browsableBy, issuesMatchingJql, JiraLimitedError, parseJqlAsUser, searchIssuesAsApp } from '../forge/jira-adapter';
import { enqueue, unqueued } from '../forge/platform';
import { listRunsByStatus } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings, loadSiteSettings } from '../forge/settings-store';
import { rememberAccounts } from './account-book';
import { ResolverError } from './resolver-context';
import { returnPush, startDelivery } from './start-delivery';
import { say, type Message, type Translate } from '../core/i18n';

export interface BulkScope {
  projectId?: string;
  accountId: string;
}

/** Ids sort newest first in storage: the time is inverted. */
function newBulkId(nowMs: number): string {
  return `${String(9_999_999_999_999 - nowMs).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
}

const summary = (bulk: BulkRun) => ({ id: bulk.id, kind: bulk.kind, state: bulk.state, createdAt: bulk.createdAt, cap: bulk.cap, expected: bulk.expected, queued: bulk.queued, skipped: bulk.skipped, skips: bulk.skips ?? {}, lastError: bulk.lastError, progress: bulkProgress(bulk) });

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

/**
 * The projects an enhancement run may reach: the project page's own project when it is enabled;
 * for a Jira admin's site-wide run, the enabled projects. Jira's numeric ids, never typed text.
 */
async function reachableProjects(scope: { projectId?: string }): Promise<string[]> {
  const site = await loadSiteSettings();
  if (scope.projectId) return (await site.project(scope.projectId)) ? [scope.projectId] : [];
  return site.enabledProjectIds;
}

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
    // The typed query goes inside the app's scope: it must be a whole query on its own.
    const structure = typedJqlProblem(jql);
    if (structure) return { ok: false, errors: [problem('jql', structure)] };
    const parsed = await parseJqlAsUser(withoutOrderBy(jql));
    if (!parsed.ok) return { ok: false, errors: [problem('jql', { key: 'bulkError.jqlInvalid', params: { problem: parsed.reason } })] };
    const projects = await reachableProjects(scope);
    if (projects.length === 0) return { ok: false, errors: [problem('jql', { key: scope.projectId ? 'bulkError.projectNotEnabled' : 'bulkError.noProjectEnabled' })] };
    // Counted as the user: a count never tells anyone how many issues they cannot see match.
    const counted = await approximateIssueCount(scopedJql(jql, projects));
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

/** A stop the bulk run cannot go past: the run ends with this reason. */
class BulkStop extends Error {}

/** The next candidates of a bulk run, and where the listing goes on. */
async function nextCandidates(bulk: BulkRun, room: number): Promise<{ items: BulkCandidate[]; cursor?: string; statusIndex?: number; exhausted: boolean; skips: Partial<Record<SkipReason, number>> }> {
  if (bulk.kind === 'enhance') {
    const projects = await reachableProjects(bulk);
    if (projects.length === 0) throw new BulkStop(bulk.projectId ? 'stopped: the project is no longer enabled' : 'stopped: no project is enabled any more');
    // By issue id, after the last one taken: the query's results change as issues are sent (the
    // default JQL leaves out enhanced ones), so page tokens over it would skip issues.
    const after = bulk.cursor && /^\d+$/.test(bulk.cursor) ? bulk.cursor : '0';
    const found = await searchIssuesAsApp(`${scopedJql((bulk.filter as EnhanceFilter).jql, projects)} AND id > ${after} ORDER BY id ASC`, room);
    if (!found.ok) throw new Error(found.reason);
    const escaped = escapedScope(found.issues, new Set(projects));
    if (escaped) throw new BulkStop(escaped);
    return { items: found.issues, cursor: found.issues.at(-1)?.issueId ?? bulk.cursor, exhausted: found.issues.length < room, skips: {} };
  }
  const filter = bulk.filter as RedeliverFilter;
  let statusIndex = bulk.statusIndex ?? 0;
  let cursor = bulk.cursor;
  const runs: DeliveryRun[] = [];
  while (statusIndex < filter.statuses.length && runs.length < room) {
    const page = await listRunsByStatus(filter.statuses[statusIndex], { projectId: bulk.projectId }, filter.since, room, cursor);
    runs.push(...page.runs.filter((run) => matchesRedeliver(run, filter)));
    cursor = page.nextCursor;
    if (!cursor) statusIndex += 1;
  }
  // The issues as they are now: one moved to another project since its run is not sent with the old project's settings.
  const ids = [...new Set(runs.map((run) => run.issueId))];
  const now = ids.length > 0 ? await searchIssuesAsApp(`id in (${ids.join(', ')})`, ids.length) : { ok: true as const, issues: [] };
  if (!now.ok) throw new Error(now.reason);
  const current = new Map(now.issues.map((issue) => [issue.issueId, issue]));
  const items: BulkCandidate[] = [];
  const skips: Partial<Record<SkipReason, number>> = {};
  for (const run of runs) {
    const issue = current.get(run.issueId);
    const skip: SkipReason | undefined = !issue ? 'gone' : issue.projectId !== run.projectId ? 'moved' : undefined;
    if (skip) skips[skip] = (skips[skip] ?? 0) + 1;
    else items.push(issue!);
  }
  return { items, cursor, statusIndex, exhausted: statusIndex >= filter.statuses.length, skips };
}

/**
 * Of the candidates, the ones this run sends: those its starter may browse (checked as the app
 * for the starter, since a queued job has no user) and that the project's filters let through.
 */
async function sendable(bulk: BulkRun, candidates: BulkCandidate[]): Promise<{ send: Array<{ candidate: BulkCandidate; project: ProjectSettings }>; skips: Partial<Record<SkipReason, number>> }> {
  const skips: Partial<Record<SkipReason, number>> = {};
  const skip = (reason: SkipReason) => (skips[reason] = (skips[reason] ?? 0) + 1);
  const visible = await browsableBy(bulk.requestedBy, candidates.map((c) => c.issueId));
  const byProject = new Map<string, BulkCandidate[]>();
  for (const candidate of candidates) {
    if (!visible.has(candidate.issueId)) skip('hidden');
    else byProject.set(candidate.projectId, [...(byProject.get(candidate.projectId) ?? []), candidate]);
  }
  const send: Array<{ candidate: BulkCandidate; project: ProjectSettings }> = [];
  for (const [projectId, group] of byProject) {
    const project = await loadProjectSettings(projectId);
    const passing = group.filter((c) => decideEligibility(project, { kind: 'manual', issueType: c.issueType, priority: c.priority, labels: c.labels, changedFields: [] }).eligible);
    for (let i = passing.length; i < group.length; i += 1) skip('excluded');
    let matching = passing;
    if (project.jql && passing.length > 0) {
      const checked = await issuesMatchingJql(passing.map((c) => c.issueId), project.jql);
      if (!checked.ok) throw new Error(checked.reason);
      matching = passing.filter((c) => checked.matching.has(c.issueId));
      for (let i = matching.length; i < passing.length; i += 1) skip('excluded');
    }
    send.push(...matching.map((candidate) => ({ candidate, project })));
  }
  return { send, skips };
}

/**
 * Chunks one chain of queue jobs runs before it hands the bulk run over to the scheduled check.
 * The platform refuses a chain's 1,001st push (docs "limits-async-events", cyclic invocation
 * limit), and a chain counts the pushes of every job down from it: a chunk's two pushes (its
 * deliveries, the next chunk), and in poll mode each delivery's status polls, about 17 over a
 * 30-minute limit. So a chain takes 20 chunks (1,000 issues) when results come by comment or
 * callback, and one in poll mode (50 deliveries' polls stay under 1,000 pushes).
 */
function linksPerChain(resultMode: string | undefined): number {
  return resultMode === 'poll' ? 1 : 20;
}

/** One chunk of a bulk run, run by the delivery queue's consumer; `link`: chunks before it in this chain. */
export async function processBulkChunk(bulkId: string, link = 0): Promise<void> {
  const bulk = await getBulk(bulkId);
  if (!bulk || bulk.state !== 'running') return;
  const [global, site] = await Promise.all([loadGlobalSettings(), loadSiteSettings()]);
  const room = Math.min(BULK_CHUNK, bulk.cap - bulk.queued);
  let next: BulkRun = { ...bulk, updatedAt: new Date().toISOString() };
  let limited = false;
  try {
    const batch = room > 0 ? await nextCandidates(bulk, room) : { items: [], exhausted: true, cursor: undefined, statusIndex: bulk.statusIndex, skips: {} };
    const chosen = await sendable(bulk, batch.items);
    const jobs: DeliveryJob[] = [];
    let duplicates = 0;
    for (const { candidate, project } of chosen.send) {
      const { issueId, issueKey, projectId, projectKey } = candidate;
      // The delivery id names the bulk run: an issue is sent once per bulk run, whatever happens.
      const started = await startDelivery({ issueId, issueKey, projectId, projectKey }, bulk.kind === 'redeliver' ? 'redeliver' : 'bulk', `bulk-${bulk.id}`, global, project, {
        requestedBy: bulk.requestedBy,
        bulkId: bulk.id,
        defer: true,
        salt: site.deliveryIdSalt,
      });
      if (started.started && started.job) jobs.push(started.job);
      else duplicates += 1;
    }
    if (jobs.length > 0) {
      try {
        await enqueue(jobs, 0, global?.deliveryConcurrency);
      } catch (error) {
        // Refused (the minute's 500 events, or this chain's limit), all or in part: those runs wait for the push chain.
        for (const id of unqueued(error, jobs.map((job) => job.deliveryId))) await returnPush(id);
        await (await import(/* webpackMode: "eager" */ './push-chain')).ensurePushChain().catch(() => false);
      }
    }
    const queued = bulk.queued + jobs.length;
    const finished = batch.exhausted || queued >= bulk.cap;
    next = withSkips({ ...next, queued, cursor: batch.cursor, statusIndex: batch.statusIndex, ...(finished ? { state: 'done', finishedAt: new Date().toISOString() } : {}) }, mergeSkips(batch.skips, mergeSkips(chosen.skips, { duplicate: duplicates })));
  } catch (error) {
    // Jira's rate limits on the reads that choose the chunk: nothing of it started, and the
    // scheduled check takes it up again (within five minutes; after the hour for the quota).
    if (error instanceof JiraLimitedError) limited = true;
    // A stop ends the run with its reason; anything else pauses it for a person to look, with Resume.
    next =
      error instanceof BulkStop
        ? { ...next, state: 'cancelled', lastError: error.message, finishedAt: new Date().toISOString() }
        : limited
          ? { ...next, lastError: (error as Error).message }
          : { ...next, state: 'paused', lastError: error instanceof Error ? error.message : String(error) };
  }
  // A pause or cancel that came in meanwhile stands.
  const latest = await getBulk(bulkId);
  if (latest && latest.state !== 'running' && next.state === 'running') next = { ...next, state: latest.state };
  await saveBulk(next);
  if (next.state !== 'running') return;
  // A fresh chain (the scheduled check) takes the next chunks before this chain nears its limit.
  if (limited || link + 1 >= linksPerChain(global?.resultMode)) return handOverBulk(bulkId);
  try {
    await enqueue({ kind: 'bulk', bulkId, link: link + 1 }, chunkSpacingSeconds(global?.deliveryConcurrency ?? 5));
  } catch {
    await handOverBulk(bulkId);
  }
}

/** The scheduled check's part: the next chunk of each bulk run handed over (`ids`, taken from storage), each in a chain of its own. */
export async function resumeHandedOverBulks(ids: string[]): Promise<number> {
  let resumed = 0;
  for (const id of ids) {
    const bulk = await getBulk(id);
    if (bulk?.state !== 'running') continue;
    try {
      await enqueue({ kind: 'bulk', bulkId: id, link: 0 });
      resumed += 1;
    } catch {
      await handOverBulk(id);
    }
  }
  return resumed;
}

function mergeSkips(a: Partial<Record<SkipReason, number>>, b: Partial<Record<SkipReason, number>>): Partial<Record<SkipReason, number>> {
  const merged = { ...a };
  for (const [reason, n] of Object.entries(b) as Array<[SkipReason, number]>) if (n) merged[reason] = (merged[reason] ?? 0) + n;
  return merged;
}
