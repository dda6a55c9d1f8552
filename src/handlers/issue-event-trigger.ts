/**
 * `avi:jira:created:issue` / `avi:jira:updated:issue`: decide, claim once, record `queued`,
 * enqueue. Cheap by design: KVS, the queue and, only when a filter needs it, Jira. When the queue
 * refuses the push (its per-installation rate limit), the trigger asks the platform to retry the
 * event; the retry pushes the already-claimed run again.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { decideEligibility } from '../core/eligibility';
import { summariseIssueEvent, type JiraIssueEvent } from '../core/jira-event';
import { issueMatchesJql, readIssueAsApp } from '../forge/jira-adapter';
import { enqueue } from '../forge/platform';
import { getRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { deliveryJob, startDelivery } from './start-delivery';

interface TriggerEvent extends JiraIssueEvent {
  retryContext?: { retryCount: number; retryData?: { deliveryId?: string } };
}

/** Spreads retried pushes over a few minutes, so a burst does not hit the limit again at once. */
function pushRetryDelay(retryCount: number): number {
  return Math.min(900, 60 * 2 ** retryCount + Math.floor(Math.random() * 60));
}

function retryPush(deliveryId: string, retryCount: number): InvocationError {
  return new InvocationError({
    retryAfter: pushRetryDelay(retryCount),
    retryReason: InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED,
    retryData: { deliveryId },
  });
}

export async function onIssueEvent(event: TriggerEvent): Promise<InvocationError | undefined> {
  const retryCount = event.retryContext?.retryCount ?? 0;
  const pending = event.retryContext?.retryData?.deliveryId;
  if (pending) return pushAgain(pending, retryCount);

  const summary = summariseIssueEvent(event);
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(summary.projectId)]);
  let { facts } = summary;
  // Issue events carry neither labels nor priority (docs "events-reference/jira"): read them only when a filter needs them.
  const needsIssue =
    project.enabled &&
    ((facts.labels === undefined && (project.labelsInclude.length > 0 || project.labelsExclude.length > 0)) ||
      (facts.priority === undefined && project.priorityIds.length > 0));
  if (needsIssue) {
    const read = await readIssueAsApp(summary.issueId);
    if (read.kind !== 'found') return undefined;
    const f = read.issue.fields;
    facts = { ...facts, labels: f.labels ?? [], priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : null };
  }
  const decision = decideEligibility(project, { ...facts, labels: facts.labels ?? [], priority: facts.priority ?? undefined });
  // Ineligible issues cost no write: the panel explains them from the current settings.
  if (!decision.eligible) return undefined;
  let blockedReason: string | undefined;
  if (decision.needsJqlCheck && project.jql) {
    const match = await issueMatchesJql(summary.issueId, project.jql);
    if (match.ok && !match.matches) return undefined;
    if (!match.ok) blockedReason = match.reason;
  }
  const { issueId, issueKey, projectId, projectKey } = summary;
  const started = await startDelivery({ issueId, issueKey, projectId, projectKey }, facts.kind, summary.eventDiscriminator, global, project, {
    blockedReason,
    concurrencyLimit: global?.deliveryConcurrency,
  });
  if (!started.started && started.queued) return retryPush(started.run.deliveryId, retryCount);
  return undefined;
}

/** A retried event whose run is claimed but was never pushed: push it now, unless it has moved on. */
async function pushAgain(deliveryId: string, retryCount: number): Promise<InvocationError | undefined> {
  const stored = await getRun(deliveryId);
  if (!stored || stored.run.status !== 'queued') return undefined;
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(stored.run.projectId)]);
  try {
    await enqueue(deliveryJob(stored.run, global, project), 0, global?.deliveryConcurrency);
    return undefined;
  } catch {
    // Still refused: ask again; after the platform's last retry the scheduled sweep sends it.
    return retryPush(deliveryId, retryCount);
  }
}
