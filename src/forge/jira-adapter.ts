/** Jira REST calls the app makes, each stating whether it acts as the app or as the user. */
import api, { route } from '@forge/api';
import type { JiraIssue } from '../core/payload';

export const ISSUE_FIELDS = 'summary,description,priority,issuetype,status,reporter,created,labels,components,project,customfield_10010';

export type IssueRead = { kind: 'found'; issue: JiraIssue } | { kind: 'missing' } | { kind: 'error'; status: number; message: string };

/** Reads the issue as the app: the event carries no description. */
export async function readIssueAsApp(issueIdOrKey: string): Promise<IssueRead> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?fields=${ISSUE_FIELDS}`, {
    headers: { Accept: 'application/json' },
  });
  if (response.status === 404) return { kind: 'missing' };
  if (!response.ok) return { kind: 'error', status: response.status, message: (await response.text()).slice(0, 300) };
  return { kind: 'found', issue: (await response.json()) as JiraIssue };
}

export const ISSUE_PROPERTY_KEY = 'ticket-enhancer';

export interface IssueEnhancementProperty {
  status: string;
  executionId?: string;
  deliveryId: string;
  updatedAt: string;
}

/** The indexed issue property behind `issue.property[ticket-enhancer].status` in JQL. */
export async function writeIssueProperty(issueId: string, value: IssueEnhancementProperty): Promise<boolean> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value),
  });
  return response.ok;
}

/** True when the issue matches the JQL condition, checked by Jira's JQL match API. */
export async function issueMatchesJql(issueId: string, jql: string): Promise<{ ok: true; matches: boolean } | { ok: false; reason: string }> {
  const response = await api.asApp().requestJira(route`/rest/api/3/jql/match`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ jqls: [jql], issueIds: [Number(issueId)] }),
  });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: response.status === 400 && detail ? `the JQL condition is invalid: ${detail}` : `Jira could not check the JQL condition (${response.status})` };
  }
  const body = (await response.json()) as { matches?: Array<{ matchedIssues?: number[]; errors?: string[] }> };
  const match = body.matches?.[0];
  if (match?.errors?.length) return { ok: false, reason: `the JQL condition is invalid: ${match.errors.join('; ')}` };
  return { ok: true, matches: (match?.matchedIssues ?? []).map(String).includes(String(issueId)) };
}

/** Which of `permissions` the calling user holds, on a project or an issue, or globally. */
export async function userPermissions(
  permissions: string[],
  scope: { projectId?: string; issueId?: string } = {},
): Promise<Set<string>> {
  const keys = permissions.join(',');
  const path = scope.issueId
    ? route`/rest/api/3/mypermissions?issueId=${scope.issueId}&permissions=${keys}`
    : scope.projectId
      ? route`/rest/api/3/mypermissions?projectId=${scope.projectId}&permissions=${keys}`
      : route`/rest/api/3/mypermissions?permissions=${keys}`;
  const response = await api.asUser().requestJira(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) return new Set();
  const body = (await response.json()) as { permissions?: Record<string, { havePermission?: boolean }> };
  return new Set(Object.entries(body.permissions ?? {}).filter(([, p]) => p.havePermission).map(([key]) => key));
}

/** The site's base URL, sent to AI Ops so results can link back. */
export async function siteUrl(): Promise<string | undefined> {
  const response = await api.asApp().requestJira(route`/rest/api/3/serverInfo`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return ((await response.json()) as { baseUrl?: string }).baseUrl;
}

export interface NamedOption {
  id: string;
  name: string;
}

/** The project's own issue types, for the filter choices. */
export async function projectIssueTypes(projectId: string): Promise<NamedOption[]> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issuetype/project?projectId=${projectId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  return ((await response.json()) as NamedOption[]).map(({ id, name }) => ({ id, name }));
}

export async function priorities(): Promise<NamedOption[]> {
  const response = await api.asApp().requestJira(route`/rest/api/3/priority`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  return ((await response.json()) as NamedOption[]).map(({ id, name }) => ({ id, name }));
}
