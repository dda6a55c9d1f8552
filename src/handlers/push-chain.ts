/**
 * Pushes the runs the queue refused at the pace it takes them. The queue takes 500 events a minute
 * per installation (docs "limits-async-events"), so a bulk import far beyond that drains only as
 * fast as someone pushes every minute: the trigger's own retries come back over widening windows,
 * and the scheduled check only every five minutes. One chain of queue jobs does it instead: each
 * link pushes up to 450 refused runs (room for the site's own events), then pushes the next link a
 * minute later, until none is left. A KVS key taken with FAIL_IF_EXISTS keeps it to one chain.
 *
 * Each link makes at most ten pushes, so one chain stays far below the 1,000 pushes the platform
 * allows a chain of invocations (about 45,000 runs); the scheduled check starts a fresh chain when
 * refused runs remain and none runs.
 */
import { kvs } from '@forge/kvs';
import { enqueue } from '../forge/platform';
import { pushRefused } from './start-delivery';

const LOCK_KEY = 'push-chain';
/** Longer than a link's delay and run: a chain that died frees the key after it. */
const LOCK_TTL = { value: 180, unit: 'SECONDS' as const };
export const EVENTS_PER_LINK = 450;
const LINK_DELAY_SECONDS = 60;

/** Starts the chain unless one runs; its first link comes a minute later, when the queue takes pushes again. */
export async function ensurePushChain(): Promise<boolean> {
  try {
    await kvs.set(LOCK_KEY, { at: new Date().toISOString() }, { keyPolicy: 'FAIL_IF_EXISTS', ttl: LOCK_TTL });
  } catch {
    return false;
  }
  try {
    await enqueue({ kind: 'push-refused' }, LINK_DELAY_SECONDS);
    return true;
  } catch {
    // Refused too: the next scheduled check or trigger retry starts it.
    await kvs.delete(LOCK_KEY);
    return false;
  }
}

/** One link: push a minute's worth, then hand over to the next link, or end the chain. */
export async function pushChainLink(): Promise<{ pushed: number; more: boolean }> {
  const result = await pushRefused(5, EVENTS_PER_LINK);
  if (!result.more) {
    await kvs.delete(LOCK_KEY);
    return result;
  }
  await kvs.set(LOCK_KEY, { at: new Date().toISOString() }, { ttl: LOCK_TTL });
  await enqueue({ kind: 'push-refused' }, LINK_DELAY_SECONDS).catch(async () => {
    await kvs.delete(LOCK_KEY);
  });
  return result;
}
