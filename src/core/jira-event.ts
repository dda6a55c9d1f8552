import type { IssueEventFacts } from './eligibility';

/**
 * Reads the Forge product events `avi:jira:created:issue` and `avi:jira:updated:issue`.
 * The payload carries no description; labels and priority may be absent, in which case the
 * trigger reads them from Jira only when a filter needs them.
 */

export interface JiraIssueEvent {
  eventType?: string;
  atlassianId?: string;
  timestamp?: string | number;
  issue?: {
    id?: string;
    key?: string;
    fields?: {
      issueType?: { id?: string; name?: string };
      issuetype?: { id?: string; name?: string };
      project?: { id?: string; key?: string };
      priority?: { id?: string; name?: string } | null;
      labels?: string[];
      [field: string]: unknown;
    };
  };
  changelog?: { id?: string; items?: Array<{ field?: string; fieldId?: string }> };
}

export interface IssueEventSummary {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
  /** Labels and priority are undefined when the event did not carry them. */
  facts: Omit<IssueEventFacts, 'kind' | 'labels' | 'priority'> & { kind: 'created' | 'updated' } & { labels?: string[]; priority?: { id: string; name: string } | null };
  /** Same value for every duplicate delivery of one event. */
  eventDiscriminator: string;
}

export class MalformedEventError extends Error {}

export function summariseIssueEvent(event: JiraIssueEvent): IssueEventSummary {
  const issue = event.issue;
  const fields = issue?.fields;
  const project = fields?.project;
  if (!issue?.id || !issue.key || !fields || !project?.id || !project.key) {
    throw new MalformedEventError('the Jira event has no issue id, key or project: it cannot be delivered');
  }
  const kind = event.eventType === 'avi:jira:updated:issue' ? 'updated' : 'created';
  const type = fields.issueType ?? fields.issuetype ?? {};
  const changedFields = (event.changelog?.items ?? []).map((item) => item.fieldId ?? item.field ?? '').filter(Boolean);
  const timestamp = event.timestamp !== undefined ? String(new Date(event.timestamp).getTime() || event.timestamp) : '';
  return {
    issueId: issue.id,
    issueKey: issue.key,
    projectId: project.id,
    projectKey: project.key,
    facts: {
      kind,
      issueType: { id: String(type.id ?? ''), name: String(type.name ?? 'unknown type') },
      priority: fields.priority === undefined ? undefined : fields.priority && { id: String(fields.priority.id ?? ''), name: String(fields.priority.name ?? '') },
      labels: Array.isArray(fields.labels) ? fields.labels : undefined,
      changedFields,
    },
    // An issue is created once; each update event is told apart by its changelog id or time.
    eventDiscriminator: kind === 'created' ? 'created' : `updated-${event.changelog?.id ?? timestamp}`,
  };
}
