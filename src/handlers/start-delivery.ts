/** Starting a delivery, shared by the trigger, "Run again" and "Redeliver": claim once, then queue. */
import { deliveryIdFor, type DeliveryJob } from '../core/delivery-job';
import { endRun, type DeliveryRun, type RunTrigger } from '../core/enhancement';
import { effectiveSettings, type GlobalSettings, type ProjectSettings } from '../core/settings';
import { enqueue } from '../forge/platform';
import { publishNewRun } from '../forge/run-publisher';
import { claimRun } from '../forge/run-store';

export interface DeliveryTarget {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
}

export type StartResult =
  | { started: true; run: DeliveryRun; job?: DeliveryJob }
  /** The run is recorded as queued but the queue refused the push; the scheduled sweep will send it. */
  | { started: false; queued: true; run: DeliveryRun; reason: string }
  | { started: false; queued?: false; reason: string; run?: DeliveryRun; duplicate?: boolean };

export function deliveryJob(run: DeliveryRun, global: GlobalSettings | undefined, project: ProjectSettings): DeliveryJob {
  const connection = effectiveSettings(global, project, run.projectId);
  return {
    kind: 'deliver',
    deliveryId: run.deliveryId,
    issueId: run.issueId,
    baseAttempts: run.attemptCount ?? run.attempts.length,
    ...(connection.ok
      ? { settings: connection.settings, previousSecretUntil: connection.settings.secretScope.kind === 'global' ? global?.previousSecret?.until : undefined }
      : {}),
  };
}

export async function startDelivery(
  target: DeliveryTarget,
  trigger: RunTrigger,
  discriminator: string,
  global: GlobalSettings | undefined,
  project: ProjectSettings,
  options: { blockedReason?: string; requestedBy?: string; concurrencyLimit?: number; bulkId?: string; automationRule?: string; defer?: boolean } = {},
): Promise<StartResult> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const connection = effectiveSettings(global, project, target.projectId);
  const run: DeliveryRun = {
    ...target,
    deliveryId: deliveryIdFor(target.issueId, discriminator),
    trigger,
    status: 'queued',
    createdAt: nowIso,
    updatedAt: nowIso,
    attemptLimit: connection.ok ? connection.settings.attemptLimit : 0,
    attempts: [],
    ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
    ...(options.bulkId ? { bulkId: options.bulkId } : {}),
    ...(options.automationRule ? { automationRule: options.automationRule } : {}),
    ...(connection.ok ? { secretScope: connection.settings.secretScope, keyEncoding: connection.settings.keyEncoding } : {}),
  };
  const problem = connection.ok ? options.blockedReason : connection.reason;
  if (problem || !connection.ok) {
    // Recorded so admins see why an enabled project sends nothing.
    const reason = problem ?? 'the AI Ops connection is not configured';
    const failed = endRun(run, 'failed', reason, now, 'configuration');
    await publishNewRun(failed);
    return { started: false, reason, run: failed };
  }
  // The queued record is not announced: the consumer's first write follows within seconds.
  if (!(await claimRun(run))) return { started: false, reason: 'this event was already delivered', duplicate: true };
  // Bulk runs push many jobs at once themselves.
  if (options.defer) return { started: true, run, job: deliveryJob(run, global, project) };
  try {
    await enqueue(deliveryJob(run, global, project), 0, options.concurrencyLimit);
  } catch (error) {
    const reason = `the queue refused the delivery for now (${error instanceof Error ? error.message : String(error)}); it stays queued and is sent by the next scheduled check`;
    return { started: false, queued: true, run, reason };
  }
  return { started: true, run };
}
