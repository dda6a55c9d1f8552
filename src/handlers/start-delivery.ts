/** Starting a delivery, shared by the trigger, "Run again" and "Redeliver": claim once, then queue. */
import { deliveryIdFor, type DeliveryJob } from '../core/delivery-job';
import { endRun, type DeliveryRun, type RunTrigger } from '../core/enhancement';
import { effectiveSettings, type GlobalSettings, type ProjectSettings } from '../core/settings';
import { enqueue } from '../forge/platform';
import { claimRun, saveRun } from '../forge/run-store';

export interface DeliveryTarget {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
}

export type StartResult = { started: true; run: DeliveryRun } | { started: false; reason: string; run?: DeliveryRun };

export async function startDelivery(
  target: DeliveryTarget,
  trigger: RunTrigger,
  discriminator: string,
  global: GlobalSettings | undefined,
  project: ProjectSettings,
  /** Set when a configuration problem stops this delivery; it is recorded as failed with this reason. */
  blockedReason?: string,
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
    ...(connection.ok ? { secretScope: connection.settings.secretScope, keyEncoding: connection.settings.keyEncoding } : {}),
  };
  const problem = connection.ok ? blockedReason : connection.reason;
  if (problem || !connection.ok) {
    // Recorded so admins see why an enabled project sends nothing.
    const reason = problem ?? 'the AI Ops connection is not configured';
    const failed = endRun(run, 'failed', reason, now);
    await claimRun(failed);
    return { started: false, reason, run: failed };
  }
  if (!(await claimRun(run))) return { started: false, reason: 'this event was already delivered' };
  const job: DeliveryJob = {
    kind: 'deliver',
    run,
    settings: connection.settings,
    previousSecretUntil: connection.settings.secretScope.kind === 'global' ? global?.previousSecret?.until : undefined,
  };
  try {
    await enqueue(job);
  } catch (error) {
    const reason = `the delivery could not be queued: ${error instanceof Error ? error.message : String(error)}`;
    await saveRun(endRun(run, 'failed', reason, Date.now()));
    return { started: false, reason };
  }
  return { started: true, run };
}
