/**
 * `avi:jira:created:issue` / `avi:jira:updated:issue`: decide and enqueue. Cheap by design: the
 * manifest drops updates that touch neither summary nor description before the app runs; what
 * reaches this function costs one KVS read (the site snapshot, which lists the enabled projects),
 * the push and, only when a filter needs it, a Jira read. The consumer claims the run. When the
 * queue refuses the push (its per-installation rate limit), the trigger claims the run as
 * `queued` and asks the platform to retry the event; the retry pushes the claimed run again.
 */
import type { InvocationError } from '@forge/events';
import { summariseIssueEvent, type JiraIssueEvent } from '../core/jira-event';
import { loadSiteSettings } from '../forge/settings-store';

// A chunk of its own: the Forge bundler writes it beside issue-events.cjs and `forge deploy` uploads
// the whole folder, so events in projects that are not enabled load and parse only this file.
const delivery = () => import(/* webpackChunkName: "issue-event-delivery" */ './issue-event-delivery');

interface TriggerEvent extends JiraIssueEvent {
  retryContext?: { retryCount: number; retryData?: { deliveryId?: string } };
}

export async function onIssueEvent(event: TriggerEvent): Promise<InvocationError | undefined> {
  const retryCount = event.retryContext?.retryCount ?? 0;
  const pending = event.retryContext?.retryData?.deliveryId;
  if (pending) return (await delivery()).pushAgain(pending, retryCount);

  const summary = summariseIssueEvent(event);
  const site = await loadSiteSettings();
  const project = await site.project(summary.projectId);
  // Not enabled: the one read above is all this event costs, and only the storage SDK is loaded.
  if (!project) return undefined;
  return (await delivery()).sendIssueEvent(summary, site.global, project, retryCount, site.deliveryIdSalt);
}
