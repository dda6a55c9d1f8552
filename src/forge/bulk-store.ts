/** Bulk runs in storage: one small record each, kept for 30 days. */
import { kvs, WhereConditions } from '@forge/kvs';
import type { BulkRun } from '../core/bulk';

const key = (id: string) => `bulk:${id}`;
const KEEP = { ttl: { value: 30, unit: 'DAYS' as const } };

export async function saveBulk(bulk: BulkRun): Promise<void> {
  await kvs.set(key(bulk.id), bulk, KEEP);
}

export async function getBulk(id: string): Promise<BulkRun | undefined> {
  return kvs.get<BulkRun>(key(id));
}

/** Bulk runs of a project (or site-wide ones), newest first; ids sort by time. */
export async function listBulks(projectId: string | undefined, limit = 5): Promise<BulkRun[]> {
  const page = await kvs.query().where('key', WhereConditions.beginsWith('bulk:')).limit(100).getMany<BulkRun>();
  return page.results
    .map((row) => row.value)
    .filter((bulk) => bulk.projectId === projectId)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
    .slice(0, limit);
}

/**
 * Bulk runs whose chain of queue jobs stopped (a chunk handed over, or the platform refused its
 * push): the scheduled check pushes their next chunk from a chain of its own. A small key per run,
 * so two runs handing over at once cannot overwrite each other.
 */
const HANDOVER_PREFIX = 'bulk-handover:';

export async function handOverBulk(id: string): Promise<void> {
  await kvs.set(`${HANDOVER_PREFIX}${id}`, { at: new Date().toISOString() }, KEEP);
}

/** The bulk runs handed over (at most 20 a check), taken: their keys are deleted. */
export async function takeHandedOverBulks(): Promise<string[]> {
  const page = await kvs.query().where('key', WhereConditions.beginsWith(HANDOVER_PREFIX)).limit(20).getMany();
  const ids = page.results.map((row) => row.key.slice(HANDOVER_PREFIX.length));
  for (const id of ids) await kvs.delete(`${HANDOVER_PREFIX}${id}`);
  return ids;
}
