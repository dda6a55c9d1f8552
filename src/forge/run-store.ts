/**
 * Delivery runs and the result facts AI Ops reports about them. Keys put a project's and an
 * issue's records side by side so one query lists them:
 *   run:<projectId>:<issueId>:<deliveryId>
 *   fact:<projectId>:<issueId>:<deliveryId>:<status>
 */
import { kvs, WhereConditions } from '@forge/kvs';
import { currentRun, newestFirst, type DeliveryRun, type ResultFact } from '../core/enhancement';

const runKey = (run: Pick<DeliveryRun, 'projectId' | 'issueId' | 'deliveryId'>) => `run:${run.projectId}:${run.issueId}:${run.deliveryId}`;
const factKey = (projectId: string, issueId: string, fact: ResultFact) => `fact:${projectId}:${issueId}:${fact.deliveryId}:${fact.status}`;

/**
 * Writes `value` only if `key` does not exist yet; false when it already did. The error code for an
 * existing key is not documented, so a read settles what a failed write meant.
 */
async function setOnce(key: string, value: unknown): Promise<boolean> {
  try {
    await kvs.set(key, value, { keyPolicy: 'FAIL_IF_EXISTS' });
    return true;
  } catch (error) {
    if ((await kvs.get(key)) !== undefined) return false;
    throw error;
  }
}

/**
 * Writes a new run only if no run with its delivery id exists: the exactly-once claim for an event
 * that Forge may deliver more than once. Returns false for a duplicate.
 */
export function claimRun(run: DeliveryRun): Promise<boolean> {
  return setOnce(runKey(run), run);
}

export async function saveRun(run: DeliveryRun): Promise<void> {
  await kvs.set(runKey(run), run);
}

export async function getRun(projectId: string, issueId: string, deliveryId: string): Promise<DeliveryRun | undefined> {
  return kvs.get<DeliveryRun>(runKey({ projectId, issueId, deliveryId }));
}

/** Records a fact once; a repeat of the same status is a no-op. Returns false for a repeat. */
export function recordFact(projectId: string, issueId: string, fact: ResultFact): Promise<boolean> {
  return setOnce(factKey(projectId, issueId, fact), fact);
}

export function listFacts(projectId: string, issueId: string, deliveryId: string): Promise<ResultFact[]> {
  return queryAll<ResultFact>(`fact:${projectId}:${issueId}:${deliveryId}:`, 10);
}

async function queryAll<T>(prefix: string, max: number): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const query = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(100);
    const page = await (cursor ? query.cursor(cursor) : query).getMany<T>();
    rows.push(...page.results.map((row) => row.value));
    cursor = page.nextCursor;
  } while (cursor && rows.length < max);
  return rows;
}

/** Runs with their result facts applied, newest first. */
async function listRuns(scope: string, max: number): Promise<DeliveryRun[]> {
  const [runs, facts] = await Promise.all([queryAll<DeliveryRun>(`run:${scope}`, max), queryAll<ResultFact>(`fact:${scope}`, max * 4)]);
  return newestFirst(runs.map((run) => currentRun(run, facts))).slice(0, max);
}

export function listIssueRuns(projectId: string, issueId: string, max = 20): Promise<DeliveryRun[]> {
  return listRuns(`${projectId}:${issueId}:`, max);
}

export function listProjectRuns(projectId: string, max = 50): Promise<DeliveryRun[]> {
  return listRuns(`${projectId}:`, max);
}

export function listAllRuns(max = 50): Promise<DeliveryRun[]> {
  return listRuns('', max);
}
