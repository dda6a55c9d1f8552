/**
 * Delivery runs in the Custom Entity Store (`delivery-run`, declared in manifest.yml). The entity's
 * indexes give the lists newest first, per site, per project and per issue, and find open runs by
 * deadline; KVS key order could not (it is lexicographic). Every update merges with what is stored
 * and is written only if nobody wrote in between (a version condition in a transaction), so two
 * writers racing each other can never lose a state.
 */
import { Filter, FilterConditions, kvs, Sort, WhereConditions } from '@forge/kvs';
import { isOpen, type DeliveryRun, type RunStatus } from '../core/enhancement';
import { runDueAt } from '../core/run-deadlines';

export const RUN_ENTITY = 'delivery-run';

/** The entity's attributes; `record` holds the whole run, the others are what indexes need. */
interface RunEntity {
  issueId: string;
  projectId: string;
  createdAt: string;
  status: RunStatus;
  phase: 'open' | 'done';
  dueAt?: string;
  /** When a finished run finished: the counters read new outcomes by it. */
  finishedAt?: string;
  version: number;
  record: DeliveryRun;
}

export interface StoredRun {
  run: DeliveryRun;
  version: number;
}

function toEntity(run: DeliveryRun, version: number): RunEntity {
  const open = isOpen(run.status);
  const dueAt = open ? runDueAt(run) : undefined;
  return {
    issueId: run.issueId,
    projectId: run.projectId,
    createdAt: run.createdAt,
    status: run.status,
    phase: open ? 'open' : 'done',
    ...(dueAt ? { dueAt } : {}),
    ...(!open && run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    version,
    record: run,
  };
}

const runs = () => kvs.entity<RunEntity>(RUN_ENTITY);

/**
 * Writes `value` only if `key` does not exist yet; false when it already did. The error code for an
 * existing key is not documented, so a read settles what a failed write meant.
 */
async function setOnce(write: () => Promise<unknown>, exists: () => Promise<boolean>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (await exists()) return false;
    throw error;
  }
}

/** The exactly-once claim for an event Forge may deliver more than once. False for a duplicate. */
export function claimRun(run: DeliveryRun): Promise<boolean> {
  return setOnce(
    () => runs().set(run.deliveryId, toEntity(run, 1), { keyPolicy: 'FAIL_IF_EXISTS' }),
    async () => (await runs().get(run.deliveryId)) !== undefined,
  );
}

export async function getRun(deliveryId: string): Promise<StoredRun | undefined> {
  const stored = await runs().get(deliveryId);
  return stored ? { run: stored.record, version: stored.version } : undefined;
}

export class RunConflictError extends Error {}

/** Writes `next` over version `version`; throws RunConflictError if someone wrote in between. */
async function writeOver(next: DeliveryRun, version: number): Promise<number> {
  try {
    await kvs
      .transact()
      .set(next.deliveryId, toEntity(next, version + 1), { entityName: RUN_ENTITY, conditions: new Filter<RunEntity>().and('version', FilterConditions.equalTo(version)) })
      .execute();
    return version + 1;
  } catch (error) {
    const now = await runs().get(next.deliveryId);
    if (now && now.version !== version) throw new RunConflictError(`run ${next.deliveryId} changed while it was being updated`);
    throw error;
  }
}

/**
 * Applies `change` to the stored run and writes the result, re-reading and re-applying when another
 * writer got there first. `change` returns undefined to leave the run as it is. `known` skips the
 * first read when the caller has just read the run.
 */
export async function updateRun(
  deliveryId: string,
  change: (run: DeliveryRun) => DeliveryRun | undefined,
  known?: StoredRun,
): Promise<StoredRun | undefined> {
  let current = known ?? (await getRun(deliveryId));
  for (let tries = 0; current && tries < 5; tries += 1) {
    const next = change(current.run);
    if (!next) return undefined;
    try {
      return { run: next, version: await writeOver(next, current.version) };
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
      current = await getRun(deliveryId);
    }
  }
  if (current) throw new RunConflictError(`run ${deliveryId} kept changing; the update was not written`);
  return undefined;
}

export interface RunPage {
  runs: DeliveryRun[];
  /** The same runs with their versions, for an update that need not read them again. */
  stored: StoredRun[];
  nextCursor?: string;
}

function toPage(result: { results: Array<{ value: RunEntity }>; nextCursor?: string }): RunPage {
  const stored = result.results.map((row) => ({ run: row.value.record, version: row.value.version }));
  return { runs: stored.map((entry) => entry.run), stored, nextCursor: result.nextCursor };
}

async function page(index: string, partition: unknown[] | undefined, limit: number, cursor?: string): Promise<RunPage> {
  let query = runs()
    .query()
    .index(index, partition ? { partition } : undefined)
    .sort(Sort.DESC)
    .limit(Math.min(Math.max(1, limit), 100));
  if (cursor) query = query.cursor(cursor);
  return toPage(await query.getMany());
}

/** An issue's runs, newest first. */
export async function listIssueRuns(issueId: string, limit = 20): Promise<DeliveryRun[]> {
  return (await listIssueRunsStored(issueId, limit)).map((stored) => stored.run);
}

/** An issue's runs with their versions, so an update can skip reading them again. */
export async function listIssueRunsStored(issueId: string, limit = 20): Promise<StoredRun[]> {
  const result = await runs().query().index('by-issue', { partition: [issueId] }).sort(Sort.DESC).limit(limit).getMany();
  return result.results.map((row) => ({ run: row.value.record, version: row.value.version }));
}

export function listProjectRuns(projectId: string, limit = 25, cursor?: string): Promise<RunPage> {
  return page('by-project', [projectId], limit, cursor);
}

export function listAllRuns(limit = 25, cursor?: string): Promise<RunPage> {
  return page('by-created', undefined, limit, cursor);
}

/** Open runs whose deadline has passed, oldest deadline first (the scheduled sweep works through them). */
export async function listOverdueRuns(nowIso: string, limit = 50, cursor?: string): Promise<RunPage> {
  let query = runs().query().index('by-phase-due', { partition: ['open'] }).where(WhereConditions.lessThan(nowIso)).sort(Sort.ASC).limit(limit);
  if (cursor) query = query.cursor(cursor);
  return toPage(await query.getMany());
}

/** Finished runs by when they finished, from `sinceIso` on, oldest first (the counters read them once). */
export async function listFinishedRuns(sinceIso: string, limit = 100, cursor?: string): Promise<RunPage> {
  let query = runs().query().index('by-finished', { partition: ['done'] }).where(WhereConditions.greaterThanEqualTo(sinceIso)).sort(Sort.ASC).limit(limit);
  if (cursor) query = query.cursor(cursor);
  return toPage(await query.getMany());
}

/** Whether any run is unfinished (queued, retrying, waiting, accepted or running): one read. */
export async function hasOpenRuns(): Promise<boolean> {
  const result = await runs().query().index('by-phase-due', { partition: ['open'] }).limit(1).getMany();
  return result.results.length > 0;
}

/** Runs of one status, site-wide or in a project, created at or after `sinceIso` (newest first unless `oldestFirst`). */
export async function listRunsByStatus(
  status: RunStatus,
  scope: { projectId?: string },
  sinceIso: string,
  limit = 100,
  cursor?: string,
  oldestFirst = false,
): Promise<RunPage> {
  const index = scope.projectId ? 'by-project-status' : 'by-status';
  const partition = scope.projectId ? [scope.projectId, status] : [status];
  let query = runs().query().index(index, { partition }).where(WhereConditions.greaterThanEqualTo(sinceIso)).sort(oldestFirst ? Sort.ASC : Sort.DESC).limit(limit);
  if (cursor) query = query.cursor(cursor);
  return toPage(await query.getMany());
}

export async function deleteRun(deliveryId: string): Promise<void> {
  await runs().delete(deliveryId);
}
