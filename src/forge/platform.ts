/** Forge platform services the handlers use: the delivery queue, web trigger URLs, realtime. */
import { webTrigger } from '@forge/api';
import { Queue } from '@forge/events';
import { publishGlobal } from '@forge/realtime';
import { DELIVERY_CONCURRENCY, DELIVERY_QUEUE, type QueueJob } from '../core/delivery-job';

const queue = new Queue({ key: DELIVERY_QUEUE });

export async function enqueue(job: QueueJob, delayInSeconds = 0): Promise<void> {
  await queue.push({ body: job as unknown as Record<string, unknown>, delayInSeconds, concurrency: DELIVERY_CONCURRENCY });
}

export const CALLBACK_WEBTRIGGER = 'aiops-callback';

/** The web trigger's URL, to show admins who configure AI Ops by hand. */
export function callbackBaseUrl(): Promise<string> {
  return webTrigger.getUrl(CALLBACK_WEBTRIGGER);
}

export async function callbackUrlFor(projectId: string, issueId: string, deliveryId: string): Promise<string> {
  const url = new URL(await callbackBaseUrl());
  url.searchParams.set('project', projectId);
  url.searchParams.set('issue', issueId);
  url.searchParams.set('delivery', deliveryId);
  return url.toString();
}

export const issueChannel = (issueId: string) => `ticket-enhancer-issue-${issueId}`;

/** Tells open panels of the issue to refresh; carries no result content. */
export async function announceChange(issueId: string, status: string): Promise<void> {
  await publishGlobal(issueChannel(issueId), { status });
}
