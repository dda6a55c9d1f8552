import { createHmac } from 'node:crypto';
import type { DeliveryRun } from './enhancement';
import type { EffectiveSettings } from './settings';

/**
 * What goes on the delivery queue. Jobs carry ids and at most a new or just-written run (a few
 * hundred bytes; the platform allows 100 KB per event for long-running consumers); a retry always
 * reads the run's real state from storage.
 */
export interface DeliveryJob {
  kind: 'deliver';
  deliveryId: string;
  issueId: string;
  /** Attempts already made when this job was pushed (a resumed run continues its count). */
  baseAttempts: number;
  /** The settings whoever pushed the job had just read; later attempts read them again. */
  settings?: EffectiveSettings;
  /** Until when the previous secret still signs `webhook-signature`, if one is in its grace period. */
  previousSecretUntil?: string;
  /** Pushed by the scheduled check after an outage: one attempt, without counting against the limit. */
  resumed?: boolean;
  /**
   * The new run, from the issue trigger: the consumer claims it (the exactly-once write), so an
   * event costs the trigger no write. Absent when the run is already stored.
   */
  claim?: DeliveryRun;
}

/** A poll of the status URL for an accepted run. */
export interface PollJob {
  kind: 'poll';
  deliveryId: string;
  settings: EffectiveSettings;
  startedAt: string;
  polls: number;
  /** The run as the pusher last wrote it, with its version: a poll that finds it unchanged reads nothing. */
  known?: { run: DeliveryRun; version: number };
}

/** The admin page's self-check: proves a push is consumed on this site. */
export interface DiagnoseJob {
  kind: 'diagnose';
  token: string;
}

/** The next chunk of a bulk run (redelivery, or enhancing existing tickets). */
export interface BulkJob {
  kind: 'bulk';
  bulkId: string;
  /** Chunks run before this one in the same chain of invocations (see handlers/bulk-runs.ts, handover). */
  link?: number;
}

/** The rest of a purge of the app's data that its first invocation could not finish in time. */
export interface PurgeJob {
  kind: 'purge';
}

/** Writes an issue's property again from its newest run, after Jira refused the write (forge/run-publisher.ts). */
export interface PropertyJob {
  kind: 'property';
  issueId: string;
}

/** One link of the chain that pushes refused runs at the queue's pace (handlers/push-chain.ts). */
export interface PushChainJob {
  kind: 'push-refused';
}

/** Work on a completed result in the background: forward feedback to AI Ops, or apply (or report) suggested labels. */
export type ResultJob = { kind: 'feedback'; deliveryId: string; /** Whose vote to forward. */ accountId: string } | { kind: 'auto-apply'; deliveryId: string };

export type QueueJob = DeliveryJob | PollJob | DiagnoseJob | BulkJob | PurgeJob | ResultJob | PushChainJob | PropertyJob;

/** What the consumer asks the platform to hand back on a retry: well under the 4 KB limit. */
export interface DeliveryRetryData {
  deliveryId: string;
  /** The attempt that asked for this retry. */
  attempt: number;
  /** A wait longer than the platform's 900 s goes in hops of 900 s: how many are still to come. */
  hopsLeft?: number;
}

export const DELIVERY_QUEUE = 'aiops-delivery';
/** Concurrency is per installation and key; the limit is an admin setting (default 5). */
export const DELIVERY_CONCURRENCY = { key: 'aiops-delivery', limit: 5 };

/** Work that sends nothing to AI Ops per ticket (bulk chunks, purge, Diagnose, feedback, auto-apply): its own key, one fixed limit. */
export const HOUSEKEEPING_CONCURRENCY = { key: 'aiops-housekeeping', limit: 5 };

/**
 * The concurrency a job runs under. The async events docs advise one fixed limit per key, and the
 * delivery limit is the admin's (1 to 20): so the limit is part of the delivery key, and jobs
 * pushed after a change never share a key with those pushed before it under another limit.
 * Housekeeping jobs have a key of their own, so they never hold delivery slots.
 */
export function concurrencyFor(job: QueueJob, deliveryLimit = DELIVERY_CONCURRENCY.limit): { key: string; limit: number } {
  if (job.kind === 'deliver' || job.kind === 'poll') {
    const limit = Math.min(20, Math.max(1, Math.round(deliveryLimit)));
    return { key: `${DELIVERY_CONCURRENCY.key}-${limit}`, limit };
  }
  return HOUSEKEEPING_CONCURRENCY;
}

/**
 * Delivery ids are the `webhook-id`: stable across retries, unique per event, and not guessable:
 * they end with an HMAC of the issue and discriminator under the installation's salt, so a
 * repeated event gets the same id while nobody outside can name another run's.
 */
export function deliveryIdFor(issueId: string, discriminator: string, salt?: string): string {
  const base = `dlv_${issueId}_${discriminator}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return salt ? `${base}_${createHmac('sha256', salt).update(base).digest('hex').slice(0, 20)}` : base;
}
