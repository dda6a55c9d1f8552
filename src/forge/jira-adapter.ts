/** Jira REST calls the app makes, each stating whether it acts as the app or as the user. */
import { route } from '@forge/api';
import type { APIResponse } from '@forge/api';
import { JiraUnavailableError, requestJira, unavailable } from './jira-request';
import type { JiraIssue } from '../core/payload';

export const ISSUE_FIELDS = 'summary,description,priority,issuetype,status,reporter,created,labels,components,project,customfield_10010';

export type IssueRead = { kind: 'found'; issue: JiraIssue } | { kind: 'missing' } | { kind: 'error'; status: number; message: string };

/** Reads the issue as the app: the event carries no description. */
export async function readIssueAsApp(issueIdOrKey: string): Promise<IssueRead> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueIdOrKey}?fields=${ISSUE_FIELDS}`, {
    headers: { Accept: 'application/json' },
  });
  if (response.status === 404) return { kind: 'missing' };
  if (!response.ok) return { kind: 'error', status: response.status, message: (await response.text()).slice(0, 300) };
  return { kind: 'found', issue: (await response.json()) as JiraIssue };
}

export const ISSUE_PROPERTY_KEY = 'ticket-enhancer';

export interface IssueEnhancementProperty {
  /** A run's status, or `not-sent` when the project's filters left a new issue out. */
  status: string;
  executionId?: string;
  deliveryId?: string;
  updatedAt: string;
  resultCommentId?: string;
  resultAuthorId?: string;
  /** `not-sent`: the filter that left the issue out (an `eligibility.*` text key). */
  why?: string;
}

/** Edits an issue as the app (a project's auto-applied labels): `update` adds, nothing is removed. */
export async function editIssueAsApp(issueId: string, body: { update: Record<string, unknown> }): Promise<boolean> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueId}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.ok;
}

/**
 * The indexed issue property behind `issue.property[ticket-enhancer].status` in JQL: false when
 * Jira refuses it for good (the issue is gone, or the app may not see it); JiraUnavailableError
 * when Jira did not take it just now (a rate limit past its retries, a 5xx).
 */
export async function writeIssueProperty(issueId: string, value: IssueEnhancementProperty): Promise<boolean> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value),
  });
  const down = unavailable(response);
  if (down) throw down;
  return response.ok;
}

/** True when the issue matches the JQL condition, checked by Jira's JQL match API. */
export async function issueMatchesJql(issueId: string, jql: string): Promise<{ ok: true; matches: boolean } | { ok: false; reason: string }> {
  const checked = await issuesMatchingJql([issueId], jql);
  return checked.ok ? { ok: true, matches: checked.matching.has(String(issueId)) } : checked;
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
  const response = await requestJira('user', path, { headers: { Accept: 'application/json' } });
  if (!response.ok) return new Set();
  const body = (await response.json()) as { permissions?: Record<string, { havePermission?: boolean }> };
  return new Set(Object.entries(body.permissions ?? {}).filter(([, p]) => p.havePermission).map(([key]) => key));
}

/** The site's base URL, sent to AI Ops so results can link back. */
export async function siteUrl(): Promise<string | undefined> {
  const response = await requestJira('app', route`/rest/api/3/serverInfo`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return ((await response.json()) as { baseUrl?: string }).baseUrl;
}

export interface NamedOption {
  id: string;
  name: string;
}

/** The project's own issue types, for the filter choices. */
export async function projectIssueTypes(projectId: string): Promise<NamedOption[]> {
  const response = await requestJira('app', route`/rest/api/3/issuetype/project?projectId=${projectId}`, { headers: { Accept: 'application/json' } });
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
    const response = await requestJira('app', route`/rest/api/3/issue/createmeta/${projectId}/issuetypes/${issueTypeId}?maxResults=200`, { headers: { Accept: 'application/json' } });
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
  /** `atlassian` (a person's account), `app`, or `customer` (JSM), as Jira says. */
  authorType?: string;
  /** Only where the author's profile lets Jira show it. */
  authorEmail?: string;
  body?: unknown;
  created?: string;
  updated?: string;
  /** Jira's `jsdPublic`: true on every comment not made internal, whatever the project type. */
  jsdPublic?: boolean;
}

function commentOf(raw: {
  id?: string;
  author?: { accountId?: string; displayName?: string; accountType?: string; emailAddress?: string };
  body?: unknown;
  created?: string;
  updated?: string;
  jsdPublic?: boolean;
}): CommentOnIssue {
  return {
    ...(typeof raw.jsdPublic === 'boolean' ? { jsdPublic: raw.jsdPublic } : {}),
    id: String(raw.id),
    authorAccountId: raw.author?.accountId,
    authorName: raw.author?.displayName,
    ...(raw.author?.accountType ? { authorType: raw.author.accountType } : {}),
    ...(raw.author?.emailAddress ? { authorEmail: raw.author.emailAddress } : {}),
    body: raw.body,
    created: raw.created,
    updated: raw.updated,
  };
}

/** One comment as the calling user sees it: undefined when it is gone or hidden from them. */
export async function readCommentAsUser(issueId: string, commentId: string): Promise<CommentOnIssue | undefined> {
  const response = await requestJira('user', route`/rest/api/3/issue/${issueId}/comment/${commentId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return commentOf(await response.json());
}

/** One comment as the app sees it (events carry only part of it). */
export async function readCommentAsApp(issueId: string, commentId: string): Promise<CommentOnIssue | undefined> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueId}/comment/${commentId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  return commentOf(await response.json());
}

/** The newest comments of an issue, newest first. */
export async function latestComments(issueIdOrKey: string, max = 10): Promise<CommentOnIssue[]> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueIdOrKey}/comment?orderBy=-created&maxResults=${String(max)}`, { headers: { Accept: 'application/json' } });
  const down = unavailable(response);
  if (down) throw down;
  if (!response.ok) return [];
  const page = (await response.json()) as { comments?: Array<Parameters<typeof commentOf>[0]> };
  return (page.comments ?? []).map(commentOf);
}

/** Issue ids and keys matching JQL, as the calling user may see them (one page). */
export async function searchIssuesAsUser(jql: string, max = 50): Promise<{ ok: true; issues: Array<{ id: string; key: string }> } | { ok: false; reason: string }> {
  const response = await requestJira('user', route`/rest/api/3/search/jql?jql=${jql}&maxResults=${String(max)}&fields=summary`, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: `Jira answered ${response.status}${detail ? `: ${detail}` : ''}` };
  }
  const body = (await response.json()) as { issues?: Array<{ id: string; key: string }> };
  return { ok: true, issues: (body.issues ?? []).map(({ id, key }) => ({ id, key })) };
}

/** The issue as the calling user sees it, or undefined when they cannot. */
export interface IssueRef {
  id: string;
  key: string;
  projectId: string;
  projectKey: string;
}

/**
 * An issue read as the user, and if it cannot be, why: it does not exist for them (404, 403), the
 * user never allowed the app to act for them (`asUser()` throws NeedsAuthenticationError: an
 * Automation rule's actor without consent), or Jira did not answer (429, 5xx).
 */
export type IssueAsUser = { kind: 'found'; issue: IssueRef } | { kind: 'missing' } | { kind: 'no-consent' } | { kind: 'unavailable'; status: number; retryAfterSeconds?: number };

export async function findIssueAsUser(issueIdOrKey: string): Promise<IssueAsUser> {
  let response: APIResponse;
  try {
    response = await requestJira('user', route`/rest/api/3/issue/${issueIdOrKey}?fields=project`, { headers: { Accept: 'application/json' } });
  } catch (error) {
    if ((error as { name?: string })?.name === 'NEEDS_AUTHENTICATION_ERR') return { kind: 'no-consent' };
    if (error instanceof JiraUnavailableError) return { kind: 'unavailable', status: error.status, retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }
  const down = unavailable(response);
  if (down) return { kind: 'unavailable', status: down.status, retryAfterSeconds: down.retryAfterSeconds };
  if (!response.ok) return { kind: 'missing' };
  const issue = (await response.json()) as { id: string; key: string; fields?: { project?: { id?: string; key?: string } } };
  if (!issue.fields?.project?.id || !issue.fields.project.key) return { kind: 'missing' };
  return { kind: 'found', issue: { id: issue.id, key: issue.key, projectId: issue.fields.project.id, projectKey: issue.fields.project.key } };
}

/** The issue as the user sees it, or undefined for any reason it cannot be read. */
export async function readIssueAsUser(issueIdOrKey: string): Promise<IssueRef | undefined> {
  const read = await findIssueAsUser(issueIdOrKey);
  return read.kind === 'found' ? read.issue : undefined;
}

export { JiraLimitedError, JiraUnavailableError } from './jira-request';

/**
 * The app's issue property, as stored; undefined when the issue has none (or the app cannot see
 * the issue). Throws JiraUnavailableError when Jira does not answer, rather than read it as absent.
 */
export async function readIssueProperty(issueId: string): Promise<IssueEnhancementProperty | undefined> {
  const response = await requestJira('app', route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, { headers: { Accept: 'application/json' } });
  const down = unavailable(response);
  if (down) throw down;
  if (!response.ok) return undefined;
  return ((await response.json()) as { value?: IssueEnhancementProperty }).value;
}

/** A project's key and name, for tables that list projects (undefined if the app cannot see it). */
export async function projectInfo(projectId: string): Promise<{ key?: string; name?: string } | undefined> {
  const response = await requestJira('app', route`/rest/api/3/project/${projectId}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  const project = (await response.json()) as { key?: string; name?: string };
  return { key: project.key, name: project.name };
}

/** Creates an issue as the calling user (the admin's test issue); the new key, or Jira's words for why not. */
export async function createIssueAsUser(fields: Record<string, unknown>): Promise<{ ok: true; id: string; key: string } | { ok: false; reason: string }> {
  const response = await requestJira('user', route`/rest/api/3/issue`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ fields }),
  });
  const body = (await response.json().catch(() => ({}))) as { id?: string; key?: string; errorMessages?: string[]; errors?: Record<string, string> };
  if (response.status === 201 && body.id && body.key) return { ok: true, id: String(body.id), key: body.key };
  const said = [...(body.errorMessages ?? []), ...Object.values(body.errors ?? {})].join('; ');
  return { ok: false, reason: `Jira answered ${response.status}${said ? `: ${said}` : ''}` };
}

/** The site's projects as the app sees them (one page of up to `max`), for the admin page's list. */
export async function listProjects(max = 100): Promise<Array<{ id: string; key: string; name: string; projectTypeKey?: string }>> {
  const response = await requestJira('app', route`/rest/api/3/project/search?maxResults=${String(max)}&orderBy=key`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  const body = (await response.json()) as { values?: Array<{ id: string; key: string; name: string; projectTypeKey?: string }> };
  return (body.values ?? []).map(({ id, key, name, projectTypeKey }) => ({ id: String(id), key, name, projectTypeKey }));
}

/** Removes the app's issue property (the self-check cleans up after itself). */
export async function deleteIssueProperty(issueId: string): Promise<void> {
  await requestJira('app', route`/rest/api/3/issue/${issueId}/properties/${ISSUE_PROPERTY_KEY}`, { method: 'DELETE' });
}

/** An issue as a search lists it: where it is, and the fields the project's filters look at. */
export interface FoundIssue {
  issueId: string;
  issueKey: string;
  projectId: string;
  projectKey: string;
  issueType: { id: string; name: string };
  priority?: { id: string; name: string };
  labels: string[];
}

const FOUND_FIELDS = 'project,issuetype,priority,labels';

/** Issues matching JQL, as the app sees them, one page (bulk runs have no user: the caller checks the starter's access). */
export async function searchIssuesAsApp(jql: string, max: number): Promise<{ ok: true; issues: FoundIssue[] } | { ok: false; reason: string }> {
  const response = await requestJira('app', route`/rest/api/3/search/jql?jql=${jql}&maxResults=${String(max)}&fields=${FOUND_FIELDS}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: `Jira answered ${response.status}${detail ? `: ${detail}` : ''}` };
  }
  type Raw = { id: string; key: string; fields?: { project?: { id?: string; key?: string }; issuetype?: { id?: string; name?: string }; priority?: { id?: string; name?: string } | null; labels?: string[] } };
  const body = (await response.json()) as { issues?: Raw[] };
  return {
    ok: true,
    issues: (body.issues ?? []).map((issue) => ({
      issueId: String(issue.id),
      issueKey: issue.key,
      projectId: String(issue.fields?.project?.id ?? ''),
      projectKey: String(issue.fields?.project?.key ?? ''),
      issueType: { id: String(issue.fields?.issuetype?.id ?? ''), name: String(issue.fields?.issuetype?.name ?? '') },
      ...(issue.fields?.priority?.id ? { priority: { id: String(issue.fields.priority.id), name: String(issue.fields.priority.name ?? '') } } : {}),
      labels: issue.fields?.labels ?? [],
    })),
  };
}

/**
 * Checks a typed query with Jira's parser, as the user who typed it (`POST /rest/api/3/jql/parse`,
 * strict): Jira's own words for what is wrong, or ok.
 */
export async function parseJqlAsUser(jql: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const response = await requestJira('user', route`/rest/api/3/jql/parse?validation=strict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ queries: [jql] }),
  }, { readOnly: true });
  if (!response.ok) return { ok: false, reason: `Jira could not check the JQL (${response.status})` };
  const [query] = ((await response.json()) as { queries?: Array<{ errors?: string[]; warnings?: string[] }> }).queries ?? [];
  const problems = [...(query?.errors ?? []), ...(query?.warnings ?? [])];
  return problems.length > 0 ? { ok: false, reason: problems.join('; ') } : { ok: true };
}

/**
 * Of `issueIds`, the ones `accountId` may browse (`POST /rest/api/3/permissions/check`, asked as
 * the app): a job with no user in its context still sends only what its starter may see.
 */
export async function browsableBy(accountId: string, issueIds: string[]): Promise<Set<string>> {
  if (issueIds.length === 0) return new Set();
  const response = await requestJira('app', route`/rest/api/3/permissions/check`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ accountId, projectPermissions: [{ permissions: ['BROWSE_PROJECTS'], issues: issueIds.map(Number) }] }),
  }, { readOnly: true });
  if (!response.ok) throw new JiraUnavailableError(response.status, undefined);
  const body = (await response.json()) as { projectPermissions?: Array<{ permission?: string; issues?: number[] }> };
  const entry = body.projectPermissions?.find((p) => p.permission === 'BROWSE_PROJECTS');
  return new Set((entry?.issues ?? []).map(String));
}

/** Which of `issueIds` match a project's JQL condition (Jira's JQL match API, one call). */
export async function issuesMatchingJql(issueIds: string[], jql: string): Promise<{ ok: true; matching: Set<string> } | { ok: false; reason: string }> {
  const response = await requestJira('app', route`/rest/api/3/jql/match`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ jqls: [jql], issueIds: issueIds.map(Number) }),
  }, { readOnly: true });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: response.status === 400 && detail ? `the JQL condition is invalid: ${detail}` : `Jira could not check the JQL condition (${response.status})` };
  }
  const match = ((await response.json()) as { matches?: Array<{ matchedIssues?: number[]; errors?: string[] }> }).matches?.[0];
  if (match?.errors?.length) return { ok: false, reason: `the JQL condition is invalid: ${match.errors.join('; ')}` };
  return { ok: true, matching: new Set((match?.matchedIssues ?? []).map(String)) };
}

/** How many issues match JQL for the calling user (Jira's approximate count). */
export async function approximateIssueCount(jql: string): Promise<{ ok: true; count: number } | { ok: false; reason: string }> {
  const response = await requestJira('user', route`/rest/api/3/search/approximate-count`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ jql }),
  }, { readOnly: true });
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { errorMessages?: string[] }).errorMessages?.join('; ');
    return { ok: false, reason: response.status === 400 && detail ? `The JQL is invalid: ${detail}` : `Jira could not count the issues (${response.status})` };
  }
  return { ok: true, count: ((await response.json()) as { count?: number }).count ?? 0 };
}
