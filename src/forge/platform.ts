/** Forge platform services the handlers use: the delivery queue, web trigger URLs, realtime. */
import { getAppContext, webTrigger } from '@forge/api';
import { PartialSuccessError, Queue } from '@forge/events';
import { publishGlobal, signRealtimeToken } from '@forge/realtime';
import { secretParam } from '../core/callback-secret';
import { concurrencyFor, DELIVERY_CONCURRENCY, DELIVERY_QUEUE, type QueueJob } from '../core/delivery-job';
import type { SecretScope } from '../core/settings';
import type { KeyEncoding } from '../core/signing';

const queue = new Queue({ key: DELIVERY_QUEUE });

/**
 * Pushes jobs (at most 50 a push, as the platform allows); throws the SDK's error when refused.
 * `concurrencyLimit` is the deliveries' limit (the admin's setting); other jobs have their own key.
 */
export async function enqueue(jobs: QueueJob | QueueJob[], delayInSeconds = 0, concurrencyLimit = DELIVERY_CONCURRENCY.limit): Promise<void> {
  const list = Array.isArray(jobs) ? jobs : [jobs];
  for (let i = 0; i < list.length; i += 50) {
    try {
      await queue.push(
        list.slice(i, i + 50).map((job) => ({
          body: job as unknown as Record<string, unknown>,
          delayInSeconds: Math.min(900, Math.max(0, Math.round(delayInSeconds))),
          concurrency: concurrencyFor(job, concurrencyLimit),
        })),
      );
    } catch (error) {
      // Accepted in part (docs "async-events-api-error-handling"): the rest of this push, and the pushes after it, were not.
      if (error instanceof PartialSuccessError) {
        // The SDK's types name the refused event `event`; its code (out/validators.js) sets `payload`.
        const refused = (error.failedEvents ?? [])
          .map((failed) => {
            const entry = failed as unknown as { event?: { body?: unknown }; payload?: { body?: unknown } };
            return (entry.event ?? entry.payload)?.body as QueueJob | undefined;
          })
          .filter((job): job is QueueJob => Boolean(job));
        throw new PushPartlyRefused([...refused, ...list.slice(i + 50)], error.message);
      }
      throw error;
    }
  }
}

/** A push the queue took in part: `refused` are the jobs it did not take (the others will run). */
export class PushPartlyRefused extends Error {
  constructor(
    readonly refused: QueueJob[],
    message: string,
  ) {
    super(message);
    this.name = 'PushPartlyRefused';
  }
}

/** The delivery ids a failed push left unqueued: all of `ids`, or only those a partial push refused. */
export function unqueued(error: unknown, ids: string[]): string[] {
  if (!(error instanceof PushPartlyRefused)) return ids;
  const refused = new Set(error.refused.map((job) => (job as { deliveryId?: string }).deliveryId));
  return ids.filter((id) => refused.has(id));
}

export const CALLBACK_WEBTRIGGER = 'aiops-callback';

/** The web trigger's URL, to show admins who configure AI Ops by hand. */
export function callbackBaseUrl(): Promise<string> {
  return webTrigger.getUrl(CALLBACK_WEBTRIGGER);
}

/**
 * The callback URL sent with one delivery: the run it answers, and the secret it was signed with
 * (`global` or `project-<id>`, and its key encoding), so a callback is verified before anything
 * else is read.
 */
export async function callbackUrlFor(issueId: string, deliveryId: string, scope: SecretScope, encoding: KeyEncoding): Promise<string> {
  const url = new URL(await callbackBaseUrl());
  url.searchParams.set('issue', issueId);
  url.searchParams.set('delivery', deliveryId);
  url.searchParams.set('secret', secretParam(scope));
  url.searchParams.set('encoding', encoding);
  return url.toString();
}

/**
 * Realtime: one channel per issue, restricted by a signed token whose claims name the issue, so
 * only a panel whose resolver checked the user's access to that issue can subscribe.
 */
export const issueChannel = (issueId: string) => `ticket-enhancer-issue-${issueId}`;

const claimsFor = (issueId: string) => ({ issueId });

/** A subscribe-only token for the panel, with when it expires (ISO); undefined when the platform would not sign one. */
export async function panelRealtimeToken(issueId: string): Promise<{ token: string; expiresAt?: string } | undefined> {
  const signed = await signRealtimeToken(issueChannel(issueId), claimsFor(issueId), ['subscribe']);
  if (!signed.token) return undefined;
  const seconds = Number(signed.expiresAt);
  return { token: signed.token, ...(Number.isFinite(seconds) && seconds > 0 ? { expiresAt: new Date(seconds * 1000).toISOString() } : {}) };
}

/** Tells open panels of the issue to refresh; carries no result content. */
export async function announceChange(issueId: string, status: string): Promise<void> {
  const channel = issueChannel(issueId);
  const signed = await signRealtimeToken(channel, claimsFor(issueId), ['publish']);
  // A failed announcement only delays the panel until its next poll.
  if (signed.token) await publishGlobal(channel, { status }, { token: signed.token });
}

/**
 * Where the app's pages live on the site (docs "manifest-reference/modules/jira-admin-page" and
 * "jira-project-settings-page"): `/jira/settings/apps/configure/{appId}/{envId}` for the admin
 * page used as configuration, `/jira/software/projects/{key}/settings/apps/{appId}/{envId}`.
 */
export function appPageUrls(siteUrl: string | undefined, projectKey?: string): { adminPage?: string; projectSettings?: string } {
  if (!siteUrl) return {};
  const { appAri, environmentAri } = getAppContext();
  const base = siteUrl.replace(/\/+$/, '');
  const ids = `${appAri.appId}/${environmentAri.environmentId}`;
  return {
    adminPage: `${base}/jira/settings/apps/configure/${ids}`,
    ...(projectKey ? { projectSettings: `${base}/jira/software/projects/${encodeURIComponent(projectKey)}/settings/apps/${ids}` } : {}),
  };
}
