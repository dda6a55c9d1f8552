/**
 * `avi:jira:created:issue` / `avi:jira:updated:issue`: decide, claim once, record `queued`,
 * enqueue. Cheap by design: KVS, the queue and, only when a filter needs it, Jira.
 */
import { decideEligibility } from '../core/eligibility';
import { deliveryIdFor, type DeliveryJob } from '../core/delivery-job';
import { endRun, type DeliveryRun } from '../core/enhancement';
import { summariseIssueEvent, type JiraIssueEvent } from '../core/jira-event';
import { effectiveSettings } from '../core/settings';
import { issueMatchesJql, readIssueAsApp } from '../forge/jira-adapter';
import { enqueue } from '../forge/platform';
import { claimRun, saveRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';

export async function onIssueEvent(event: JiraIssueEvent): Promise<void> {
  const summary = summariseIssueEvent(event);
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(summary.projectId)]);
  let { facts } = summary;
  const needsIssue =
    project.enabled &&
    ((facts.labels === undefined && (project.labelsInclude.length > 0 || project.labelsExclude.length > 0)) ||
      (facts.priority === undefined && project.priorityIds.length > 0));
  if (needsIssue) {
    const read = await readIssueAsApp(summary.issueId);
    if (read.kind !== 'found') return;
    const f = read.issue.fields;
    facts = { ...facts, labels: f.labels ?? [], priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : null };
  }
  const decision = decideEligibility(project, { ...facts, labels: facts.labels ?? [], priority: facts.priority ?? undefined });
  // Ineligible issues cost no write: the panel explains them from the current settings.
  if (!decision.eligible) return;
  if (decision.needsJqlCheck && project.jql) {
    const match = await issueMatchesJql(summary.issueId, project.jql);
    if (match.ok && !match.matches) return;
  }

  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const connection = effectiveSettings(global, project, summary.projectId);
  const run: DeliveryRun = {
    deliveryId: deliveryIdFor(summary.issueId, summary.eventDiscriminator),
    issueId: summary.issueId,
    issueKey: summary.issueKey,
    projectId: summary.projectId,
    projectKey: summary.projectKey,
    trigger: facts.kind,
    status: 'queued',
    createdAt: nowIso,
    updatedAt: nowIso,
    attemptLimit: connection.ok ? connection.settings.attemptLimit : 0,
    attempts: [],
    ...(connection.ok ? { secretScope: connection.settings.secretScope, keyEncoding: connection.settings.keyEncoding } : {}),
  };
  if (!connection.ok) {
    // Recorded so admins see why an enabled project sends nothing.
    await claimRun(endRun(run, 'failed', connection.reason, now));
    return;
  }
  if (!(await claimRun(run))) return;
  const job: DeliveryJob = {
    kind: 'deliver',
    run,
    settings: connection.settings,
    previousSecretUntil: connection.settings.secretScope.kind === 'global' ? global?.previousSecret?.until : undefined,
  };
  try {
    await enqueue(job);
  } catch (error) {
    await saveRun(endRun(run, 'failed', `the delivery could not be queued: ${error instanceof Error ? error.message : String(error)}`, Date.now()));
  }
}
