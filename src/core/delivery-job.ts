import type { DeliveryRun } from './enhancement';
import type { EffectiveSettings } from './settings';

/** What the trigger puts on the queue: everything the consumer needs except the secret. */
export interface DeliveryJob {
  kind: 'deliver';
  run: DeliveryRun;
  settings: EffectiveSettings;
  /** Until when the previous secret still signs `webhook-signature`, if one is in its grace period. */
  previousSecretUntil?: string;
}

/** A poll of the status URL for an accepted run. */
export interface PollJob {
  kind: 'poll';
  run: DeliveryRun;
  settings: EffectiveSettings;
  startedAt: string;
  polls: number;
}

export type QueueJob = DeliveryJob | PollJob;

export const DELIVERY_QUEUE = 'aiops-delivery';
export const DELIVERY_CONCURRENCY = { key: 'aiops-delivery', limit: 5 };

/** Delivery ids are the `webhook-id`: stable across retries, unique per event. */
export function deliveryIdFor(issueId: string, discriminator: string): string {
  return `dlv_${issueId}_${discriminator}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}
