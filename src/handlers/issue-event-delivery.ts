/**
 * The part of the issue trigger that runs only for enabled projects: filters that need Jira, the
 * push, and the retry when the queue refuses it. Loaded on first use, so events in projects that
 * are not enabled never load the Jira, queue or realtime SDKs.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { decideEligibility, JQL_EXCLUDED } from '../core/eligibility';
import type { summariseIssueEvent } from '../core/jira-event';
import type { GlobalSettings, ProjectSettings } from '../core/settings';
import { issueMatchesJql, JiraUnavailableError, readIssueAsApp, writeIssueProperty } from '../forge/jira-adapter';
import { retryWhenJiraAnswers } from './jira-backoff';
import { enqueue } from '../forge/platform';
import { getRun } from '../forge/run-store';
import { loadProjectSettings as loadProjectSettingsFor, loadSiteSettings } from '../forge/settings-store';
import { deliveryJob, returnPush, startDelivery, takePush } from './start-delivery';

/**
 * Spreads retried pushes over a window that widens with each retry (2, 6, then 14 minutes), so a
 * burst that hit the push limit comes back below it instead of all in the same minute.
 */
function pushRetryDelay(retryCount: number): number {
  const windowSeconds = Math.min(840, 120 * (2 ** (retryCount + 1) - 1));
  return 60 + Math.floor(Math.random() * windowSeconds);
}

function retryPush(deliveryId: string, retryCount: number): InvocationError {
  return new InvocationError({
    retryAfter: pushRetryDelay(retryCount),
    retryReason: InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED,
    retryData: { deliveryId },
  });
}

/** An event in an enabled project: the filters that need Jira, then the push (the consumer claims the run). */
export async function sendIssueEvent(
  summary: ReturnType<typeof summariseIssueEvent>,
  global: GlobalSettings | undefined,
  project: ProjectSettings,
  retryCount: number,
  salt?: string,
): Promise<InvocationError | undefined> {
  // Jira's rate limits (or a 5xx) on the reads the filters need: this event comes again once Jira
  // answers, rather than being decided on what could not be read. Nothing is claimed before them.
  return decideAndSend(summary, global, project, retryCount, salt).catch((error: unknown) => retryWhenJiraAnswers(error));
}

async function decideAndSend(
  summary: ReturnType<typeof summariseIssueEvent>,
  global: GlobalSettings | undefined,
  project: ProjectSettings,
  retryCount: number,
  salt?: string,
): Promise<InvocationError | undefined> {
  let { facts } = summary;
  // Issue events carry neither labels nor priority (docs "events-reference/jira"): read them only when a filter needs them.
  const needsIssue =
    project.enabled &&
    ((facts.labels === undefined && (project.labelsInclude.length > 0 || project.labelsExclude.length > 0)) ||
      (facts.priority === undefined && project.priorityIds.length > 0));
  if (needsIssue) {
    const read = await readIssueAsApp(summary.issueId);
    if (read.kind === 'error' && read.status >= 500) throw new JiraUnavailableError(read.status, undefined);
    if (read.kind !== 'found') return undefined;
    const f = read.issue.fields;
    facts = { ...facts, labels: f.labels ?? [], priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : null };
  }
  const decision = decideEligibility(project, { ...facts, labels: facts.labels ?? [], priority: facts.priority ?? undefined });
  // A new issue the project's filters leave out is marked on the issue (no storage write), so
  // every agent sees why it was not sent and JQL finds it: ticketEnhancerStatus = not-sent.
  if (!decision.eligible) return markNotSent(summary, decision.why.key);
  let blockedReason: string | undefined;
  if (decision.needsJqlCheck && project.jql) {
    const match = await issueMatchesJql(summary.issueId, project.jql);
    if (match.ok && !match.matches) return markNotSent(summary, JQL_EXCLUDED.why.key);
    if (!match.ok) blockedReason = match.reason;
  }
  const { issueId, issueKey, projectId, projectKey } = summary;
  const started = await startDelivery({ issueId, issueKey, projectId, projectKey }, facts.kind, summary.eventDiscriminator, global, project, {
    blockedReason,
    concurrencyLimit: global?.deliveryConcurrency,
    claimInConsumer: true,
    salt,
  });
  if (!started.started && started.queued) return retryPush(started.run.deliveryId, retryCount);
  return undefined;
}


/** Only a new issue is marked: an update the filters leave out keeps the property of the issue's runs. */
async function markNotSent(summary: ReturnType<typeof summariseIssueEvent>, why: string): Promise<undefined> {
  if (summary.facts.kind === 'created') await writeIssueProperty(summary.issueId, { status: 'not-sent', why, updatedAt: new Date().toISOString() });
  return undefined;
}

/** A retried event whose run is claimed but was never pushed: push it now, unless it has moved on. */
export async function pushAgain(deliveryId: string, retryCount: number): Promise<InvocationError | undefined> {
  const found = await getRun(deliveryId);
  if (!found || found.run.status !== 'queued' || !found.run.awaitingPush) return undefined;
  // Taken by the scheduled check meanwhile, or by another copy of this event: theirs to push.
  const stored = await takePush(found);
  if (!stored) return undefined;
  const site = await loadSiteSettings();
  const project = await site.project(stored.run.projectId);
  const { global } = site;
  try {
    // A project disabled meanwhile still sends what it had claimed; the consumer reports the state of its settings.
    await enqueue(deliveryJob(stored.run, global, project ?? (await loadProjectSettingsFor(stored.run.projectId))), 0, global?.deliveryConcurrency);
    // The queue takes pushes again: make sure the chain that pushes the runs refused beside this one runs.
    await (await import(/* webpackMode: "eager" */ './push-chain')).ensurePushChain().catch(() => false);
    return undefined;
  } catch {
    // Still refused: give it back and ask again; after the platform's last retry the scheduled check pushes it.
    await returnPush(deliveryId);
    return retryPush(deliveryId, retryCount);
  }
}
