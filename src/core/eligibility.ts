import type { ProjectSettings } from './settings';

/** The facts about one Jira event that decide whether the issue goes to the Ticket Enhancer. */
export interface IssueEventFacts {
  /** `manual`: a send a person or a rule asked for (Run again, Redeliver, bulk, Automation); the project's event choices do not apply, its filters do. */
  kind: 'created' | 'updated' | 'manual';
  issueType: { id: string; name: string };
  priority?: { id: string; name: string };
  labels: string[];
  /** Field names from the changelog of an update event. */
  changedFields: string[];
}

export type Eligibility =
  | { eligible: true; needsJqlCheck: boolean }
  /** `why` names the locale text (`eligibility.<key>` in src/locales) and its values; the event handlers never word it. */
  | { eligible: false; why: { key: string; params?: Record<string, string> } };

const CONTENT_FIELDS = new Set(['summary', 'description']);

function no(key: string, params?: Record<string, string>): Eligibility {
  return { eligible: false, why: { key: `eligibility.${key}`, ...(params ? { params } : {}) } };
}

/**
 * Decides eligibility from the project's settings; the JQL condition, if any, is checked by Jira
 * afterwards. Every send path calls it: events, and the sends people and rules ask for.
 */
export function decideEligibility(project: ProjectSettings, facts: IssueEventFacts): Eligibility {
  if (!project.enabled) return no('notEnabled');
  if (facts.kind === 'created' && !project.events.created) {
    return no('noCreated');
  }
  if (facts.kind === 'updated') {
    if (!project.events.updated) return no('noUpdates');
    if (!facts.changedFields.some((field) => CONTENT_FIELDS.has(field.toLowerCase()))) {
      return no('noContentChange');
    }
  }
  if (project.issueTypeIds.length > 0 && !project.issueTypeIds.includes(facts.issueType.id)) {
    return no('issueType', { type: facts.issueType.name });
  }
  if (project.priorityIds.length > 0 && !(facts.priority && project.priorityIds.includes(facts.priority.id))) {
    return facts.priority ? no('priority', { priority: facts.priority.name }) : no('noPriority');
  }
  const labels = new Set(facts.labels);
  const excluded = project.labelsExclude.find((label) => labels.has(label));
  if (excluded) return no('labelExcluded', { label: excluded });
  if (project.labelsInclude.length > 0 && !project.labelsInclude.some((label) => labels.has(label))) {
    return no('labelsMissing', { labels: project.labelsInclude.map((l) => `"${l}"`).join(', ') });
  }
  return { eligible: true, needsJqlCheck: Boolean(project.jql) };
}

/** The project's JQL condition left the issue out (checked by Jira after `decideEligibility`). */
export const JQL_EXCLUDED = no('jqlExcluded') as Extract<Eligibility, { eligible: false }>;

/** Which of a project's filters a Jira admin or project admin may deliberately send past (not "not enabled"). */
export function canOverride(eligibility: Eligibility): boolean {
  return !eligibility.eligible && eligibility.why.key !== 'eligibility.notEnabled';
}
