/**
 * Counters of what people do with results, one small record per day and scope (the site, one
 * project): votes on "was it helpful", suggestions offered and applied. Kept apart from the
 * outcome counters (which the scheduled check writes in batches) so the two never overwrite each
 * other; a rare race between two votes in the same second may lose one count, never a vote.
 */
import { kvs } from '@forge/kvs';
import type { DeliveryRun } from '../core/enhancement';
import { emptyActions, type ActionCounts } from '../core/outcome-stats';

const TTL = { ttl: { value: 40, unit: 'DAYS' as const } };
export const actionKey = (scope: string, day: string) => `stats:act:${scope}:${day}`;

export async function countAction(run: DeliveryRun, what: keyof Omit<ActionCounts, 'day'>, n: number, nowMs = Date.now()): Promise<void> {
  if (n === 0) return;
  const day = new Date(nowMs).toISOString().slice(0, 10);
  for (const scope of ['site', `p${run.projectId}`]) {
    const key = actionKey(scope, day);
    const record = (await kvs.get<ActionCounts>(key)) ?? emptyActions(day);
    await kvs.set(key, { ...record, [what]: Math.max(0, (record[what] ?? 0) + n) }, TTL);
  }
}
