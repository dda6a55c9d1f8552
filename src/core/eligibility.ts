import type { ProjectSettings } from './settings';

/** The facts about one Jira event that decide whether the issue goes to the Ticket Enhancer. */
export interface IssueEventFacts {
  kind: 'created' | 'updated';
  issueType: { id: string; name: string };
  priority?: { id: string; name: string };
  labels: string[];
  /** Field names from the changelog of an update event. */
  changedFields: string[];
}

export type Eligibility =
  | { eligible: true; needsJqlCheck: boolean }
  | { eligible: false; reason: string };

const CONTENT_FIELDS = new Set(['summary', 'description']);

/** Decides eligibility from the project's settings; the JQL condition, if any, is checked by Jira afterwards. */
export function decideEligibility(project: ProjectSettings, facts: IssueEventFacts): Eligibility {
  if (!project.enabled) return { eligible: false, reason: 'the Ticket Enhancer is not enabled for this project' };
  if (facts.kind === 'created' && !project.events.created) {
    return { eligible: false, reason: 'this project does not send newly created issues' };
  }
  if (facts.kind === 'updated') {
    if (!project.events.updated) return { eligible: false, reason: 'this project does not send issue updates' };
    if (!facts.changedFields.some((field) => CONTENT_FIELDS.has(field.toLowerCase()))) {
      return { eligible: false, reason: 'the update changed neither the summary nor the description' };
    }
  }
  if (project.issueTypeIds.length > 0 && !project.issueTypeIds.includes(facts.issueType.id)) {
    return { eligible: false, reason: `issue type ${facts.issueType.name} is filtered out` };
  }
  if (project.priorityIds.length > 0 && !(facts.priority && project.priorityIds.includes(facts.priority.id))) {
    return { eligible: false, reason: `priority ${facts.priority?.name ?? '(none)'} is filtered out` };
  }
  const labels = new Set(facts.labels);
  const excluded = project.labelsExclude.find((label) => labels.has(label));
  if (excluded) return { eligible: false, reason: `label "${excluded}" is excluded` };
  if (project.labelsInclude.length > 0 && !project.labelsInclude.some((label) => labels.has(label))) {
    return { eligible: false, reason: `the issue has none of the labels ${project.labelsInclude.map((l) => `"${l}"`).join(', ')}` };
  }
  return { eligible: true, needsJqlCheck: Boolean(project.jql) };
}
