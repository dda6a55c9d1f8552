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
  resultCommentId?: string;
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

/**
 * The priorities a project's priority scheme offers, from the create metadata of its issue types
 * (`GET /rest/api/3/priority` is deprecated and lists every priority of the site).
 */
export async function projectPriorities(projectId: string, issueTypeIds: string[]): Promise<NamedOption[]> {
  const found = new Map<string, string>();
  for (const issueTypeId of issueTypeIds.slice(0, 10)) {
    const response = await api
      .asApp()
      .requestJira(route`/rest/api/3/issue/createmeta/${projectId}/issuetypes/${issueTypeId}?maxResults=200`, { headers: { Accept: 'application/json' } });
    if (!response.ok) continue;
    const page = (await response.json()) as { fields?: Array<{ fieldId?: string; allowedValues?: Array<{ id?: string; name?: string }> }> };
    const priority = page.fields?.find((field) => field.fieldId === 'priority');
    for (const value of priority?.allowedValues ?? []) if (value.id && value.name) found.set(value.id, value.name);
    if (found.size > 0) break;
  }
  return [...found].map(([id, name]) => ({ id, name }));
}

export interface CommentOnIssue {
  id: string;
  authorAccountId?: string;
  authorName?: string;
  body?: unknown;
  created?: string;
  updated?: string;
}

function commentOf(raw: { id?: string; author?: { accountId?: string; displayName?: string }; body?: unknown; created?: string; updated?: string }): CommentOnIssue {
  return { id: String(raw.id), authorAccountId: raw.author?.accountId, authorName: raw.author?.displayName, body: raw.body, created: raw.created, updated: raw.updated };
}

/** One comment as the calling user sees it: undefined when it is gone or hidden from them. */
export async function readCommentAsUser(issueId: string, commentId: string): Promise<CommentOnIssue | undefined> {
  const response = await api.asUser().requestJira(route`/rest/api/3/issue/${issueId}/comment/${commentId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return commentOf(await response.json());
}

/** One comment as the app sees it (events carry only part of it). */
export async function readCommentAsApp(issueId: string, commentId: string): Promise<CommentOnIssue | undefined> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueId}/comment/${commentId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return commentOf(await response.json());
}

/** The newest comments of an issue, newest first. */
export async function latestComments(issueIdOrKey: string, max = 10): Promise<CommentOnIssue[]> {
  const response = await api
    .asApp()
    .requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment?orderBy=-created&maxResults=${String(max)}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  const page = (await response.json()) as { comments?: Array<Parameters<typeof commentOf>[0]> };
  return (page.comments ?? []).map(commentOf);
}

/** Issue ids and keys matching JQL, as the calling user may see them (one page). */
export async function searchIssuesAsUser(jql: string, max = 50): Promise<{ ok: true; issues: Array<{ id: string; key: string }> } | { ok: false; reason: string }> {
  const response = await api.asUser().requestJira(route`/rest/api/3/search/jql?jql=${jql}&maxResults=${String(max)}&fields=summary`, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: `Jira answered ${response.status}${detail ? `: ${detail}` : ''}` };
  }
  const body = (await response.json()) as { issues?: Array<{ id: string; key: string }> };
  return { ok: true, issues: (body.issues ?? []).map(({ id, key }) => ({ id, key })) };
}

/** The issue as the calling user sees it, or undefined when they cannot. */
export async function readIssueAsUser(issueIdOrKey: string): Promise<{ id: string; key: string; projectId: string; projectKey: string } | undefined> {
  const response = await api.asUser().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?fields=project`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  const issue = (await response.json()) as { id: string; key: string; fields?: { project?: { id?: string; key?: string } } };
  if (!issue.fields?.project?.id || !issue.fields.project.key) return undefined;
  return { id: issue.id, key: issue.key, projectId: issue.fields.project.id, projectKey: issue.fields.project.key };
}

/** Jira could not answer just now (a rate limit, a 5xx): the caller may try again after `retryAfterSeconds`. */
export class JiraUnavailableError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`Jira answered ${status}`);
    this.name = 'JiraUnavailableError';
  }
}

/**
 * The app's issue property, as stored; undefined when the issue has none (or the app cannot see
 * the issue). Throws JiraUnavailableError when Jira does not answer, rather than read it as absent.
 */
export async function readIssueProperty(issueId: string): Promise<IssueEnhancementProperty | undefined> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, { headers: { Accept: 'application/json' } });
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new JiraUnavailableError(response.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  if (!response.ok) return undefined;
  return ((await response.json()) as { value?: IssueEnhancementProperty }).value;
}

/** A project's key and name, for tables that list projects (undefined if the app cannot see it). */
export async function projectInfo(projectId: string): Promise<{ key?: string; name?: string } | undefined> {
  const response = await api.asApp().requestJira(route`/rest/api/3/project/${projectId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  const project = (await response.json()) as { key?: string; name?: string };
  return { key: project.key, name: project.name };
}

/** Removes the app's issue property (the self-check cleans up after itself). */
export async function deleteIssueProperty(issueId: string): Promise<void> {
  await api.asApp().requestJira(route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, { method: 'DELETE' });
}

/** Issues matching JQL, as the app sees them, one page at a time (bulk runs have no user). */
export async function searchIssuesAsApp(
  jql: string,
  max: number,
  nextPageToken?: string,
): Promise<{ ok: true; issues: Array<{ issueId: string; issueKey: string; projectId: string; projectKey: string }>; nextPageToken?: string } | { ok: false; reason: string }> {
  const path = nextPageToken
    ? route`/rest/api/3/search/jql?jql=${jql}&maxResults=${String(max)}&fields=project&nextPageToken=${nextPageToken}`
    : route`/rest/api/3/search/jql?jql=${jql}&maxResults=${String(max)}&fields=project`;
  const response = await api.asApp().requestJira(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: `Jira answered ${response.status}${detail ? `: ${detail}` : ''}` };
  }
  const body = (await response.json()) as { issues?: Array<{ id: string; key: string; fields?: { project?: { id?: string; key?: string } } }>; nextPageToken?: string };
  return {
    ok: true,
    issues: (body.issues ?? []).map((issue) => ({ issueId: issue.id, issueKey: issue.key, projectId: String(issue.fields?.project?.id ?? ''), projectKey: String(issue.fields?.project?.key ?? '') })),
    nextPageToken: body.nextPageToken,
  };
}

/** How many issues match JQL for the calling user (Jira's approximate count). */
export async function approximateIssueCount(jql: string): Promise<{ ok: true; count: number } | { ok: false; reason: string }> {
  const response = await api.asUser().requestJira(route`/rest/api/3/search/approximate-count`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ jql }),
  });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: response.status === 400 && detail ? `The JQL is invalid: ${detail}` : `Jira could not count the issues (${response.status})` };
  }
  return { ok: true, count: ((await response.json()) as { count?: number }).count ?? 0 };
}
