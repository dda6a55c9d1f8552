/**
 * The app's stored data over its life:
 * - **stored volume**: runs and bytes, counted once an hour by the scheduled check from the runs
 *   created since its last count (so the pipeline writes nothing extra per run), less what the
 *   retention pass deleted;
 * - **retention**: once a day the scheduled check deletes runs created before the admin's period
 *   (default 180 days), oldest first, 25 to a batch;
 * - **purge**: on uninstall (`preUninstall`, 55 s) the secrets, then every run with the issue
 *   property it left on its issue, then every other key are deleted, in batches, stopping before
 *   the time limit. Progress is kept, so a purge cut short continues where it stopped: the next
 *   invocation (the queue job it leaves, or "Delete all data" on the admin page) picks it up.
 */
import { getAppContext } from '@forge/api';
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import { deleteIssueProperty } from '../forge/jira-adapter';
import { enqueue } from '../forge/platform';
import { RUN_ENTITY } from '../forge/run-store';
import { listProjectSettings } from '../forge/settings-store';

const DAY_MS = 86_400_000;
const STATS_KEY = 'stats:storage';
const PURGE_KEY = 'purge:progress';
/** docs "kvs-batch": at most 25 keys a batch. */
const BATCH = 25;

export interface StorageStats {
  runs: number;
  bytes: number;
  /** The newest creation time counted; runs created after it are counted next time. */
  countedUntil?: string;
  oldest?: string;
  retentionRanAt?: string;
  deletedByRetention?: number;
}

interface RunRow {
  key: string;
  value: { issueId: string; createdAt: string; record: unknown };
}

const runsQuery = () => kvs.entity<RunRow['value']>(RUN_ENTITY).query().index('by-created');
const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

export async function readStorageStats(): Promise<StorageStats> {
  return (await kvs.get<StorageStats>(STATS_KEY)) ?? { runs: 0, bytes: 0 };
}

/** Adds the runs created since the last count; at most `pages` pages of 100 a call. */
export async function countNewRuns(pages = 20): Promise<StorageStats> {
  const stats = await readStorageStats();
  let changed = false;
  let cursor: string | undefined;
  for (let page = 0; page < pages; page += 1) {
    let query = runsQuery().sort(Sort.ASC).limit(100);
    if (stats.countedUntil) query = query.where(WhereConditions.greaterThan(stats.countedUntil));
    if (cursor) query = query.cursor(cursor);
    const result = await query.getMany();
    for (const row of result.results) {
      stats.runs += 1;
      stats.bytes += sizeOf(row.value);
      stats.oldest ??= row.value.createdAt;
      if (!stats.countedUntil || row.value.createdAt > stats.countedUntil) stats.countedUntil = row.value.createdAt;
      changed = true;
    }
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  if (changed) await kvs.set(STATS_KEY, stats);
  return stats;
}

/** Deletes runs created more than `days` ago, oldest first, until none is left or time runs short. */
export async function applyRetention(days: number = CONNECTION_DEFAULTS.retentionDays, nowMs = Date.now()): Promise<number> {
  const cutoff = new Date(nowMs - days * DAY_MS).toISOString();
  let deleted = 0;
  let bytes = 0;
  for (let first = true; first || hasTime(); first = false) {
    const result = await runsQuery().where(WhereConditions.lessThan(cutoff)).sort(Sort.ASC).limit(100).getMany();
    if (result.results.length === 0) break;
    for (let i = 0; i < result.results.length; i += BATCH) {
      const batch = result.results.slice(i, i + BATCH);
      const outcome = await kvs.batchDelete(batch.map((row) => ({ key: row.key, entityName: RUN_ENTITY })));
      deleted += outcome.successfulKeys.length;
      bytes += batch.filter((row) => outcome.successfulKeys.some((k) => k.key === row.key)).reduce((n, row) => n + sizeOf(row.value), 0);
    }
  }
  const next = await runsQuery().sort(Sort.ASC).limit(1).getMany();
  const oldestLeft = next.results[0]?.value.createdAt;
  const stats = await readStorageStats();
  await kvs.set(STATS_KEY, {
    ...stats,
    runs: Math.max(0, stats.runs - deleted),
    bytes: Math.max(0, stats.bytes - bytes),
    oldest: oldestLeft,
    retentionRanAt: new Date(nowMs).toISOString(),
    deletedByRetention: (stats.deletedByRetention ?? 0) + deleted,
  });
  return deleted;
}

/** Leaves a margin for the last batch and the progress write. */
function hasTime(marginMs = 8_000): boolean {
  try {
    return getAppContext().invocationRemainingTimeInMillis() > marginMs;
  } catch {
    return true;
  }
}

type PurgePhase = 'secrets' | 'runs' | 'keys' | 'done';

export interface PurgeReport {
  phase: PurgePhase;
  secrets: number;
  runs: number;
  issueProperties: number;
  keys: number;
  finished: boolean;
}

/**
 * Deletes everything the app stored on this site. Resumable: the phase and counts are kept under
 * `purge:progress`, and each phase restarts from whatever is still there. When time runs short it
 * leaves a queue job to go on (which the platform may not run once the app is uninstalled; the
 * platform then deletes what is left with the installation's data).
 */
export async function purgeAppData(options: { continueInQueue?: boolean } = {}): Promise<PurgeReport> {
  const report: PurgeReport = (await kvs.get<PurgeReport>(PURGE_KEY)) ?? { phase: 'secrets', secrets: 0, runs: 0, issueProperties: 0, keys: 0, finished: false };
  const save = () => kvs.set(PURGE_KEY, report);

  if (report.phase === 'secrets') {
    const projects = await listProjectSettings();
    const keys = [
      ...projects.flatMap(({ projectId }) => ['current', 'previous'].map((slot) => `secret:project:${projectId}:${slot}`)),
      'secret:global:current',
      'secret:global:previous',
      'secret:global:status-auth',
    ];
    // Secrets first: they are what must not outlive the app.
    for (const key of keys) {
      await kvs.deleteSecret(key);
      report.secrets += 1;
    }
    report.phase = 'runs';
    await save();
  }

  if (report.phase === 'runs') {
    const cleared = new Set<string>();
    // At least one page each invocation, however little time is left: a purge always moves on.
    for (let first = true; first || hasTime(); first = false) {
      const page = await runsQuery().sort(Sort.ASC).limit(100).getMany();
      if (page.results.length === 0) {
        report.phase = 'keys';
        break;
      }
      for (const issueId of new Set(page.results.map((row) => row.value.issueId))) {
        if (cleared.has(issueId)) continue;
        // The JQL-indexed status the app kept on the issue; an issue gone or out of reach keeps nothing of ours.
        await deleteIssueProperty(issueId).catch(() => undefined);
        cleared.add(issueId);
        report.issueProperties += 1;
      }
      for (let i = 0; i < page.results.length; i += BATCH) {
        const outcome = await kvs.batchDelete(page.results.slice(i, i + BATCH).map((row) => ({ key: row.key, entityName: RUN_ENTITY })));
        report.runs += outcome.successfulKeys.length;
      }
      await save();
    }
    await save();
  }

  if (report.phase === 'keys') {
    for (let first = true; first || hasTime(); first = false) {
      const page = await kvs.query().limit(100).getMany();
      const keys = page.results.map((row) => row.key).filter((key) => key !== PURGE_KEY);
      if (keys.length === 0) {
        report.phase = 'done';
        break;
      }
      for (let i = 0; i < keys.length; i += BATCH) {
        const outcome = await kvs.batchDelete(keys.slice(i, i + BATCH).map((key) => ({ key })));
        report.keys += outcome.successfulKeys.length;
      }
    }
  }

  if (report.phase === 'done') {
    await kvs.delete(PURGE_KEY);
    return { ...report, finished: true };
  }
  await save();
  if (options.continueInQueue) await enqueue({ kind: 'purge' }).catch(() => undefined);
  return report;
}

/** `preUninstall`: runs without a user, 55 s at most; whatever it returns is ignored. */
export async function onUninstall(): Promise<void> {
  await purgeAppData({ continueInQueue: true });
}
