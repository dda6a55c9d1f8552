/**
 * Storage behind the limits on runs people and rules start (core/run-limits.ts): a short-lived
 * lock per issue, so two starts at the same moment cannot both see "no open run", and a per-person
 * counter for the current hour. Both expire on their own (KVS TTL).
 */
import { kvs } from '@forge/kvs';
import { hourBucket } from '../core/run-limits';

/** Longer than any start takes (a claim and a push); a crashed start frees the issue after it. */
const LOCK_TTL = { value: 60, unit: 'SECONDS' as const };
const COUNTER_TTL = { value: 2, unit: 'HOURS' as const };

const lockKey = (issueId: string) => `start-lock:${issueId}`;
const counterKey = (accountId: string, nowMs: number) => `start-count:${hourBucket(nowMs)}:${accountId}`;

/**
 * Runs `work` while holding the issue's start lock; `busy` when another start holds it. The lock
 * is taken with FAIL_IF_EXISTS, so of two starts at the same moment exactly one works.
 */
export async function withIssueLock<T>(issueId: string, work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
  try {
    await kvs.set(lockKey(issueId), { at: new Date().toISOString() }, { keyPolicy: 'FAIL_IF_EXISTS', ttl: LOCK_TTL });
  } catch (error) {
    if ((await kvs.get(lockKey(issueId))) !== undefined) return { busy: true };
    throw error;
  }
  try {
    return { busy: false, value: await work() };
  } finally {
    await kvs.delete(lockKey(issueId));
  }
}

/** Runs this account started in the current hour (any issue). */
export async function startsThisHour(accountId: string | undefined, nowMs: number): Promise<number> {
  if (!accountId) return 0;
  return (await kvs.get<{ n: number }>(counterKey(accountId, nowMs)))?.n ?? 0;
}

/** Counts one more start for this account in the current hour. */
export async function countStart(accountId: string | undefined, nowMs: number, before: number): Promise<void> {
  if (!accountId) return;
  await kvs.set(counterKey(accountId, nowMs), { n: before + 1 }, { ttl: COUNTER_TTL });
}
