/** Starting a delivery, shared by the trigger, "Run again" and "Redeliver": claim once, then queue. */
import { deliveryIdFor, type DeliveryJob } from '../core/delivery-job';
import { endRun, type DeliveryRun, type RunTrigger } from '../core/enhancement';
import { effectiveSettings, type GlobalSettings, type ProjectSettings } from '../core/settings';
import { enqueue, unqueued } from '../forge/platform';
import { publishNewRun } from '../forge/run-publisher';
import { claimRun, listRunsByStatus, updateRun, type StoredRun } from '../forge/run-store';
import { rememberAccounts } from './account-book';
import { loadProjectSettings, loadSiteSettings, type SiteSettings } from '../forge/settings-store';

export interface DeliveryTarget {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
}

/** `reason` is English, as stored and logged; a screen words it for its reader (core/reason-words). */
export type StartResult =
  | { started: true; run: DeliveryRun; job?: DeliveryJob }
  /** The run is recorded as queued but the queue refused the push; the scheduled sweep will send it. */
  | { started: false; queued: true; run: DeliveryRun; reason: string }
  | { started: false; queued?: false; reason: string; run?: DeliveryRun; duplicate?: boolean };

export const DUPLICATE = { started: false, reason: 'this event was already delivered', duplicate: true } as const;

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
  options: {
    blockedReason?: string;
    requestedBy?: string;
    concurrencyLimit?: number;
    bulkId?: string;
    automationRule?: string;
    defer?: boolean;
    /** The trigger's path: the job carries the run and the consumer claims it, so a delivery costs no write here. */
    claimInConsumer?: boolean;
    /** The installation's delivery id salt (SiteSettings.deliveryIdSalt). */
    salt?: string;
  } = {},
): Promise<StartResult> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const connection = effectiveSettings(global, project, target.projectId);
  const run: DeliveryRun = {
    ...target,
    deliveryId: deliveryIdFor(target.issueId, discriminator, options.salt),
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
  // A person started it: their account id is stored with the run (reported as personal data).
  if (options.requestedBy && !options.bulkId) await rememberAccounts([options.requestedBy]);
  const problem = connection.ok ? options.blockedReason : connection.reason;
  if (problem) {
    // Recorded so admins see why an enabled project sends nothing.
    const failed = endRun(run, 'failed', problem, now, 'configuration');
    await publishNewRun(failed);
    return { started: false, reason: problem, run: failed };
  }
  if (options.claimInConsumer) {
    try {
      await enqueue({ ...deliveryJob(run, global, project), claim: run }, 0, options.concurrencyLimit);
      return { started: true, run };
    } catch (error) {
      // Refused: claim it now, so the retry (or the scheduled check) pushes it.
      const waiting = { ...run, awaitingPush: true };
      if (!(await claimRun(waiting))) return DUPLICATE;
      return { started: false, queued: true, run: waiting, reason: refusedReason(error) };
    }
  }
  // The queued record is not announced: the consumer's first write follows within seconds.
  if (!(await claimRun(run))) return DUPLICATE;
  // Bulk runs push many jobs at once themselves.
  if (options.defer) return { started: true, run, job: deliveryJob(run, global, project) };
  try {
    await enqueue(deliveryJob(run, global, project), 0, options.concurrencyLimit);
  } catch (error) {
    const waiting = await updateRun(run.deliveryId, (current) => (current.status === 'queued' ? { ...current, awaitingPush: true } : undefined));
    return { started: false, queued: true, run: waiting?.run ?? run, reason: refusedReason(error) };
  }
  return { started: true, run };
}

/**
 * Takes the push of a run the queue refused earlier: clears `awaitingPush` over the version read,
 * so of several pushers (the trigger's retry, the scheduled check) exactly one gets the run.
 */
export async function takePush(stored: StoredRun): Promise<StoredRun | undefined> {
  return updateRun(stored.run.deliveryId, (current) => (current.status === 'queued' && current.awaitingPush ? { ...current, awaitingPush: false } : undefined), stored);
}

/** Gives the push back after the queue refused it again. */
export async function returnPush(deliveryId: string): Promise<void> {
  await updateRun(deliveryId, (current) => (current.status === 'queued' && !current.awaitingPush ? { ...current, awaitingPush: true } : undefined));
}

export function refusedReason(error: unknown): string {
  return `the queue refused the delivery for now (${error instanceof Error ? error.message : String(error)}); it stays queued and is sent by the next scheduled check`;
}

/**
 * Pushes the runs the queue refused (a bulk import beyond its 500 events a minute), oldest first,
 * 50 to a push, at most `budget` of them: the scheduled check, and the push chain
 * (handlers/push-chain.ts) a minute's worth at a time. Each run is taken over its version first, so
 * a trigger retry running at the same time cannot push it too. Stops, and gives the rest back, when
 * the queue refuses again; `more` says whether refused runs remain.
 */
export async function pushRefused(pages: number, budget = Infinity): Promise<{ pushed: number; more: boolean }> {
  let pushed = 0;
  let cursor: string | undefined;
  let site: SiteSettings | undefined;
  for (let page = 0; page < pages; page += 1) {
    const queued = await listRunsByStatus('queued', {}, new Date(0).toISOString(), 100, cursor, true);
    const waiting = queued.stored.filter((e) => e.run.awaitingPush);
    const jobs = [];
    for (const entry of waiting) {
      if (pushed + jobs.length >= budget) break;
      const taken = await takePush(entry);
      if (!taken) continue;
      site ??= await loadSiteSettings();
      const project = (await site.project(entry.run.projectId)) ?? (await loadProjectSettings(entry.run.projectId));
      jobs.push({ job: deliveryJob(taken.run, site.global, project), deliveryId: entry.run.deliveryId });
    }
    for (let i = 0; i < jobs.length; i += 50) {
      const batch = jobs.slice(i, i + 50);
      try {
        await enqueue(batch.map((entry) => entry.job), 0, site?.global?.deliveryConcurrency);
        pushed += batch.length;
      } catch (error) {
        // Given back: the whole rest, or only what a push taken in part refused.
        const back = new Set(unqueued(error, batch.map((entry) => entry.deliveryId)));
        pushed += batch.length - back.size;
        for (const entry of [...batch.filter((e) => back.has(e.deliveryId)), ...jobs.slice(i + 50)]) await returnPush(entry.deliveryId);
        return { pushed, more: true };
      }
    }
    if (pushed >= budget) return { pushed, more: waiting.length > jobs.length || Boolean(queued.nextCursor) };
    if (!queued.nextCursor) return { pushed, more: false };
    cursor = queued.nextCursor;
  }
  return { pushed, more: true };
}
