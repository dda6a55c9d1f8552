/**
 * Jira calls behind the panel's actions on a result. What a person does (link, edit, reply) is
 * done as that person, so Jira applies their permissions and names them in the history; what the
 * app needs to know to offer it (a project's components, the link types) is read as the app.
 */
import { route } from '@forge/api';
import { requestJira } from './jira-request';

export interface NamedValue {
  id: string;
  name: string;
}

export interface IssueForActions {
  id: string;
  key: string;
  fields: {
    summary?: string;
    status?: { name?: string; statusCategory?: { key?: string } };
    priority?: NamedValue | null;
    labels?: string[];
    components?: NamedValue[];
    issuetype?: NamedValue;
    project?: { id?: string; key?: string; projectTypeKey?: string };
    reporter?: { accountId?: string; displayName?: string } | null;
    issuelinks?: Array<{ type?: { name?: string }; inwardIssue?: { key?: string }; outwardIssue?: { key?: string } }>;
  };
}

const ACTION_FIELDS = 'summary,status,priority,labels,components,issuetype,project,reporter,issuelinks';

export type Written = { ok: true } | { ok: false; status: number; message: string };

async function written(response: { ok: boolean; status: number; text: () => Promise<string> }): Promise<Written> {
  if (response.ok) return { ok: true };
  const raw = await response.text().catch(() => '');
  let message = raw.slice(0, 300);
  try {
    const body = JSON.parse(raw) as { errorMessages?: string[]; errors?: Record<string, string>; errorMessage?: string };
    message = [...(body.errorMessages ?? []), ...Object.values(body.errors ?? {}), ...(body.errorMessage ? [body.errorMessage] : [])].join('; ') || message;
  } catch {
    // not JSON: the text as it came
  }
  return { ok: false, status: response.status, message };
}

/** The issue as this user sees it, with the fields the actions read; undefined when they cannot. */
export async function readIssueForActions(issueIdOrKey: string): Promise<IssueForActions | undefined> {
  const response = await requestJira('user', route`/rest/api/3/issue/${issueIdOrKey}?fields=${ACTION_FIELDS}`, { headers: { Accept: 'application/json' } });
  return response.ok ? ((await response.json()) as IssueForActions) : undefined;
}

/** An issue card as this user may see it: undefined for an issue that does not exist or they may not browse. */
export async function issueCardAsUser(key: string): Promise<{ key: string; summary: string; status: string; done: boolean } | undefined> {
  const response = await requestJira('user', route`/rest/api/3/issue/${key}?fields=summary,status`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return undefined;
  const issue = (await response.json()) as IssueForActions;
  return { key: issue.key, summary: issue.fields.summary ?? '', status: issue.fields.status?.name ?? '', done: issue.fields.status?.statusCategory?.key === 'done' };
}

/** REST v3 "Create issue link", as the user (Link issues on the outward issue's project). */
export async function linkIssuesAsUser(typeName: string, outwardKey: string, inwardKey: string): Promise<Written> {
  const response = await requestJira('user', route`/rest/api/3/issueLink`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ type: { name: typeName }, outwardIssue: { key: outwardKey }, inwardIssue: { key: inwardKey } }),
  });
  return written(response);
}

/** REST v3 "Edit issue" as the user: `fields` sets, `update` adds (labels, components). */
export async function editIssueAsUser(issueId: string, body: { fields?: Record<string, unknown>; update?: Record<string, unknown> }): Promise<Written> {
  const response = await requestJira('user', route`/rest/api/3/issue/${issueId}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return written(response);
}

/**
 * A comment as the user. On a service request, `internal` adds the `sd.public.comment` property
 * that makes it an internal note (REST v3 "Add comment" takes `properties`); without it the
 * comment is a reply the customer sees.
 */
export async function addCommentAsUser(issueId: string, body: unknown, internal: boolean): Promise<Written & { id?: string }> {
  const response = await requestJira('user', route`/rest/api/3/issue/${issueId}/comment`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ body, ...(internal ? { properties: [{ key: 'sd.public.comment', value: { internal: true } }] } : {}) }),
  });
  const result = await written(response);
  if (!result.ok) return result;
  return { ok: true, id: String(((await response.json().catch(() => ({}))) as { id?: string }).id ?? '') };
}

export async function projectComponents(projectId: string): Promise<NamedValue[]> {
  const response = await requestJira('app', route`/rest/api/3/project/${projectId}/components`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  return ((await response.json()) as NamedValue[]).map(({ id, name }) => ({ id: String(id), name }));
}

export async function issueLinkTypes(): Promise<string[]> {
  const response = await requestJira('app', route`/rest/api/3/issueLinkType`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return [];
  return (((await response.json()) as { issueLinkTypes?: Array<{ name?: string }> }).issueLinkTypes ?? []).map((type) => String(type.name ?? '')).filter(Boolean);
}
