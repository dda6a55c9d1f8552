/**
 * Keeps the day counters (src/core/outcome-stats.ts) as runs finish. The scheduled check reads
 * the runs finished since its last look, once each, through the `by-finished` index, and adds
 * them to the day record of the site and of their project: no write in the delivery path, a few
 * batched writes per check. A result that arrives after its run timed out moves that run from
 * "timed out" to "completed".
 */
import { kvs } from '@forge/kvs';
import type { DeliveryRun } from '../core/enhancement';
import { countRun, dayOf, emptyDay, outcomeOf, reasonKeyOf, summarise, summariseActions, type ActionCounts, type DayStats, type Insights } from '../core/outcome-stats';
import { actionKey } from './action-counters';
import { listFinishedRuns, listRunsByStatus } from '../forge/run-store';

const CURSOR_KEY = 'stats:cursor';
/** Day records outlive the 30 days shown by a little, then the platform deletes them. */
const DAY_TTL = { ttl: { value: 40, unit: 'DAYS' as const } };
const BATCH = 25;

interface Cursor {
  /** The last finish time read; runs finishing at the same time are told apart by id. */
  since: string;
  seen: string[];
}

export const dayKey = (scope: string, day: string) => `stats:day:${scope}:${day}`;
const scopesOf = (run: DeliveryRun) => ['site', `p${run.projectId}`];

/** Reads the runs finished since the last call and adds them to the counters; returns how many. */
export async function countFinishedRuns(maxPages = 10): Promise<number> {
  const cursor = (await kvs.get<Cursor>(CURSOR_KEY)) ?? { since: new Date(0).toISOString(), seen: [] };
  const changes: Array<{ key: string; day: string; run: DeliveryRun; outcome: 'completed' | 'failed' | 'timedOut'; sign: 1 | -1 }> = [];
  let since = cursor.since;
  let seen = new Set(cursor.seen);
  let page: string | undefined;
  let counted = 0;
  for (let i = 0; i < maxPages; i += 1) {
    const found = await listFinishedRuns(cursor.since, 100, page);
    for (const run of found.runs) {
      if (!run.finishedAt || (run.finishedAt === cursor.since && cursor.seen.includes(run.deliveryId))) continue;
      if (run.finishedAt > since) {
        since = run.finishedAt;
        seen = new Set();
      }
      seen.add(run.deliveryId);
      const outcome = outcomeOf(run);
      if (!outcome) continue;
      counted += 1;
      for (const scope of scopesOf(run)) {
        changes.push({ key: dayKey(scope, dayOf(run.finishedAt)), day: dayOf(run.finishedAt), run, outcome, sign: 1 });
        // Counted as timed out before: take that back.
        if (outcome === 'completed' && run.timedOutAt && run.timedOutAt < cursor.since) {
          changes.push({ key: dayKey(scope, dayOf(run.timedOutAt)), day: dayOf(run.timedOutAt), run: { ...run, status: 'timed-out', finishedAt: run.timedOutAt }, outcome: 'timedOut', sign: -1 });
        }
      }
    }
    page = found.nextCursor;
    if (!page) break;
  }
  if (changes.length === 0) {
    if (since !== cursor.since) await kvs.set(CURSOR_KEY, { since, seen: [...seen] });
    return 0;
  }
  const keys = [...new Set(changes.map((c) => c.key))];
  const records = new Map<string, DayStats>();
  for (let i = 0; i < keys.length; i += BATCH) {
    const got = await kvs.batchGet<DayStats>(keys.slice(i, i + BATCH).map((key) => ({ key })));
    for (const row of got.successfulKeys) if (row.value) records.set(row.key, row.value);
  }
  for (const change of changes) records.set(change.key, countRun(records.get(change.key) ?? emptyDay(change.day), change.run, change.outcome, change.sign));
  for (let i = 0; i < keys.length; i += BATCH) {
    await kvs.batchSet(keys.slice(i, i + BATCH).map((key) => ({ key, value: records.get(key)!, options: DAY_TTL })));
  }
  await kvs.set(CURSOR_KEY, { since, seen: [...seen] });
  return counted;
}

/** The last 30 days of the site (`projectId` undefined) or of one project, from 30 day records. */
export async function readInsights(projectId?: string, nowMs = Date.now()): Promise<Insights> {
  const scope = projectId ? `p${projectId}` : 'site';
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const days = Array.from({ length: 30 }, (_, i) => new Date(nowMs - i * 86_400_000).toISOString().slice(0, 10));
  const records: DayStats[] = [];
  for (let i = 0; i < days.length; i += BATCH) {
    const got = await kvs.batchGet<DayStats>(days.slice(i, i + BATCH).map((day) => ({ key: dayKey(scope, day) })));
    for (const row of got.successfulKeys) if (row.value) records.push(row.value);
  }
  const acted: ActionCounts[] = [];
  for (let i = 0; i < days.length; i += BATCH) {
    const got = await kvs.batchGet<ActionCounts>(days.slice(i, i + BATCH).map((day) => ({ key: actionKey(scope, day) })));
    for (const row of got.successfulKeys) if (row.value) acted.push(row.value);
  }
  return { ...summarise(records, today), actions: summariseActions(acted) };
}

/** Recent runs that ended for one reason (the link from a reason to the deliveries it names). */
export async function runsWithReason(reasonKey: string, projectId: string | undefined, nowMs = Date.now(), limit = 25): Promise<DeliveryRun[]> {
  const since = new Date(nowMs - 30 * 86_400_000).toISOString();
  const found: DeliveryRun[] = [];
  for (const status of ['failed', 'timed-out'] as const) {
    let cursor: string | undefined;
    for (let pages = 0; pages < 10 && found.length < limit; pages += 1) {
      const page = await listRunsByStatus(status, { projectId }, since, 100, cursor);
      for (const run of page.runs) if (reasonKeyOf(run).key === reasonKey && found.length < limit) found.push(run);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
  }
  return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}
