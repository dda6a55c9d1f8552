/**
 * `avi:jira:created:issue` / `avi:jira:updated:issue`: decide, claim once, record `queued`,
 * enqueue. Cheap by design: KVS, the queue and, only when a filter needs it, Jira.
 */
import { decideEligibility } from '../core/eligibility';
import { summariseIssueEvent, type JiraIssueEvent } from '../core/jira-event';
import { issueMatchesJql, readIssueAsApp } from '../forge/jira-adapter';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { startDelivery } from './start-delivery';

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
  let blocked: string | undefined;
  if (decision.needsJqlCheck && project.jql) {
    const match = await issueMatchesJql(summary.issueId, project.jql);
    if (match.ok && !match.matches) return;
    if (!match.ok) blocked = match.reason;
  }
  const { issueId, issueKey, projectId, projectKey } = summary;
  await startDelivery({ issueId, issueKey, projectId, projectKey }, facts.kind, summary.eventDiscriminator, global, project, blocked);
}
