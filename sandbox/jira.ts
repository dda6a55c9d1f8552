/**
 * A small Jira Cloud stand-in: the REST endpoints the app calls, issue creation and editing that
 * fire Forge product events, and four users with different permissions.
 */
import type { JiraRequest } from './runtime/forge-runtime';

export interface SandboxUser {
  name: string;
  accountId: string;
  displayName: string;
  emailAddress: string;
  globalPermissions: string[];
  /** project key -> permission keys */
  projectPermissions: Record<string, string[]>;
}

const ALL_PROJECT = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES', 'DELETE_ISSUES', 'ADMINISTER_PROJECTS'];
const WORKER = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES'];

export const SANDBOX_USERS: SandboxUser[] = [
  { name: 'admin', accountId: '557058:0a1d-admin', displayName: 'Ada Admin', emailAddress: 'ada@example.com', globalPermissions: ['ADMINISTER'], projectPermissions: { DEMO: ALL_PROJECT, SUP: ALL_PROJECT } },
  { name: 'lead', accountId: '557058:0b2e-lead', displayName: 'Lee Lead', emailAddress: 'lee@example.com', globalPermissions: [], projectPermissions: { DEMO: ALL_PROJECT, SUP: WORKER } },
  { name: 'agent', accountId: '557058:0c3f-agent', displayName: 'Alex Agent', emailAddress: 'alex@example.com', globalPermissions: [], projectPermissions: { DEMO: WORKER, SUP: WORKER } },
  { name: 'viewer', accountId: '557058:0d40-viewer', displayName: 'Vic Viewer', emailAddress: 'vic@example.com', globalPermissions: [], projectPermissions: { DEMO: ['BROWSE_PROJECTS'], SUP: ['BROWSE_PROJECTS'] } },
];

export const APP_ACCOUNT_ID = '557058:app-ticket-enhancer';

interface Project {
  id: string;
  key: string;
  name: string;
  projectTypeKey: 'software' | 'service_desk';
  issueTypes: Array<{ id: string; name: string }>;
}

export const PROJECTS: Project[] = [
  { id: '10000', key: 'DEMO', name: 'Demo', projectTypeKey: 'software', issueTypes: [{ id: '10004', name: 'Bug' }, { id: '10001', name: 'Task' }, { id: '10002', name: 'Story' }] },
  { id: '10010', key: 'SUP', name: 'Support', projectTypeKey: 'service_desk', issueTypes: [{ id: '10100', name: 'Service request' }, { id: '10101', name: 'Incident' }] },
];

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];

export interface StoredIssue {
  id: string;
  key: string;
  projectKey: string;
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
}

export interface JiraState {
  issues: StoredIssue[];
  nextIssueId: number;
  counters: Record<string, number>;
}

export type ProductEventSink = (eventType: string, payload: Record<string, unknown>) => Promise<void>;

type Json = Record<string, unknown>;

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const errors = (status: number, messages: string[], fieldErrors: Record<string, string> = {}) => json(status, { errorMessages: messages, errors: fieldErrors });

export class JiraStandIn {
  state: JiraState = { issues: [], nextIssueId: 10001, counters: {} };
  /** When on, every product event is delivered twice, as Forge sometimes does. */
  duplicateEvents = false;
  onChange?: () => void;
  private readonly pendingEvents = new Set<Promise<void>>();

  constructor(
    private readonly emit: ProductEventSink,
    private readonly baseUrl: () => string,
  ) {}

  user(nameOrId: string | undefined): SandboxUser | undefined {
    return SANDBOX_USERS.find((u) => u.name === nameOrId || u.accountId === nameOrId);
  }

  project(idOrKey: string | undefined): Project | undefined {
    return PROJECTS.find((p) => p.id === idOrKey || p.key === idOrKey);
  }

  issue(idOrKey: string): StoredIssue | undefined {
    return this.state.issues.find((i) => i.id === idOrKey || i.key === idOrKey);
  }

  /** Product events still being delivered (tests wait for them). */
  async settled(): Promise<void> {
    while (this.pendingEvents.size > 0) await Promise.all([...this.pendingEvents]);
  }

  private can(as: JiraRequest['as'], permission: string, projectKey: string): boolean {
    if (as.kind === 'app') return true;
    const user = this.user(as.accountId);
    return Boolean(user?.projectPermissions[projectKey]?.includes(permission));
  }

  private fire(eventType: string, payload: Json): void {
    const deliveries = this.duplicateEvents ? 2 : 1;
    for (let i = 0; i < deliveries; i += 1) {
      const delivery = this.emit(eventType, payload).finally(() => this.pendingEvents.delete(delivery));
      this.pendingEvents.add(delivery);
    }
  }

  private eventFields(issue: StoredIssue): Json {
    const f = issue.fields;
    return {
      summary: f.summary,
      issueType: f.issuetype,
      project: f.project,
      status: f.status,
      reporter: f.reporter ? { accountId: (f.reporter as Json).accountId } : null,
      creator: f.creator,
      created: f.created,
      updated: f.updated,
      labels: f.labels,
      priority: f.priority,
    };
  }

  async handle(request: JiraRequest): Promise<Response> {
    const url = new URL(request.path, 'http://jira.local');
    const path = url.pathname.replace(/\/+$/, '');
    const body = request.body ? safeParse(request.body) : undefined;
    const m = (pattern: RegExp) => path.match(pattern);
    let match: RegExpMatchArray | null;
    if (request.as.kind === 'user' && !this.user(request.as.accountId)) return errors(401, ['Unknown user']);

    if (path === '/rest/api/3/serverInfo') return json(200, { baseUrl: this.baseUrl(), deploymentType: 'Cloud', serverTitle: 'Sandbox Jira' });
    if (path === '/rest/api/3/myself') {
      if (request.as.kind === 'app') return json(200, { accountId: APP_ACCOUNT_ID, accountType: 'app', displayName: 'AI Ops Ticket Enhancer' });
      const user = this.user(request.as.accountId)!;
      return json(200, { accountId: user.accountId, displayName: user.displayName, accountType: 'atlassian' });
    }
    if (path === '/rest/api/3/mypermissions' && request.method === 'GET') return this.myPermissions(request, url);
    if (path === '/rest/api/3/permissions/check' && request.method === 'POST') return this.permissionsCheck(body as Json);
    if (path === '/rest/api/3/priority') return json(200, PRIORITIES);
    if (path === '/rest/api/3/project/search') return json(200, { values: PROJECTS.map(projectJson), total: PROJECTS.length, isLast: true });
    if ((match = m(/^\/rest\/api\/3\/project\/([^/]+)$/))) {
      const project = this.project(match[1]);
      return project ? json(200, projectJson(project)) : errors(404, ['No project could be found']);
    }
    if (path === '/rest/api/3/issuetype/project') {
      const project = this.project(url.searchParams.get('projectId') ?? '');
      return project ? json(200, project.issueTypes) : errors(404, ['No project could be found']);
    }
    if (path === '/rest/api/3/jql/match' && request.method === 'POST') return this.jqlMatch(body as Json);
    if (path === '/rest/api/3/search/jql' && request.method === 'GET') return this.search(request, url);
    if (path === '/rest/api/3/issue' && request.method === 'POST') return this.createIssue(request, body as Json);
    if ((match = m(/^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/))) return this.property(request, decodeURIComponent(match[1]), decodeURIComponent(match[2]), body);
    if ((match = m(/^\/rest\/api\/3\/issue\/([^/]+)$/))) {
      const idOrKey = decodeURIComponent(match[1]);
      if (request.method === 'GET') return this.getIssue(request, idOrKey, url);
      if (request.method === 'PUT') return this.editIssue(request, idOrKey, body as Json);
      if (request.method === 'DELETE') return this.deleteIssue(request, idOrKey);
    }
    return errors(404, [`The sandbox Jira does not implement ${request.method} ${path}`]);
  }

  private myPermissions(request: JiraRequest, url: URL): Response {
    const keys = (url.searchParams.get('permissions') ?? '').split(',').filter(Boolean);
    if (keys.length === 0) return errors(400, ['The permissions query parameter is required.']);
    const issue = url.searchParams.get('issueId') ?? url.searchParams.get('issueKey');
    const projectRef = url.searchParams.get('projectId') ?? url.searchParams.get('projectKey');
    const projectKey = issue ? this.issue(issue)?.projectKey : projectRef ? this.project(projectRef)?.key : undefined;
    if ((issue || projectRef) && !projectKey) return errors(404, ['No issue or project could be found']);
    const user = request.as.kind === 'user' ? this.user(request.as.accountId) : undefined;
    const permissions = Object.fromEntries(
      keys.map((key) => {
        const global = Boolean(user?.globalPermissions.includes(key));
        const project = projectKey ? Boolean(user?.projectPermissions[projectKey]?.includes(key)) : Object.values(user?.projectPermissions ?? {}).some((p) => p.includes(key));
        return [key, { key, havePermission: global || project }];
      }),
    );
    return json(200, { permissions });
  }

  private permissionsCheck(body: Json): Response {
    const user = this.user(String(body?.accountId ?? ''));
    const requested = (body?.projectPermissions as Array<{ permissions: string[]; projects?: number[]; issues?: number[] }>) ?? [];
    const projectPermissions = requested.flatMap((req) =>
      req.permissions.map((permission) => ({
        permission,
        projects: (req.projects ?? []).filter((id) => {
          const project = this.project(String(id));
          return project && user?.projectPermissions[project.key]?.includes(permission);
        }),
        issues: (req.issues ?? []).filter((id) => {
          const issue = this.issue(String(id));
          return issue && user?.projectPermissions[issue.projectKey]?.includes(permission);
        }),
      })),
    );
    const globalPermissions = ((body?.globalPermissions as string[]) ?? []).filter((p) => user?.globalPermissions.includes(p));
    return json(200, { projectPermissions, globalPermissions });
  }

  private reporterJson(accountId: string): Json {
    const user = this.user(accountId);
    return { accountId, displayName: user?.displayName ?? 'Unknown', emailAddress: user?.emailAddress, active: true };
  }

  private createIssue(request: JiraRequest, body: Json): Response {
    const fields = (body?.fields ?? {}) as Json;
    const projectRef = fields.project as { key?: string; id?: string } | undefined;
    const project = this.project(projectRef?.key ?? projectRef?.id);
    const fieldErrors: Record<string, string> = {};
    if (!project) fieldErrors.project = 'Specify a valid project ID or key';
    const summary = typeof fields.summary === 'string' ? fields.summary.trim() : '';
    if (!summary) fieldErrors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) fieldErrors.summary = 'Summary must be less than 255 characters.';
    const typeRef = fields.issuetype as { name?: string; id?: string } | undefined;
    const issueType = project?.issueTypes.find((t) => t.id === typeRef?.id || t.name === typeRef?.name);
    if (project && !issueType) fieldErrors.issuetype = 'Specify an issue type';
    const priorityRef = fields.priority as { name?: string; id?: string } | undefined;
    const priority = priorityRef ? PRIORITIES.find((p) => p.id === priorityRef.id || p.name === priorityRef.name) : PRIORITIES[2];
    if (priorityRef && !priority) fieldErrors.priority = 'Specify a valid priority';
    if (fields.labels !== undefined && (!Array.isArray(fields.labels) || fields.labels.some((l) => typeof l !== 'string' || /\s/.test(l)))) {
      fieldErrors.labels = 'Labels must be a list of words without spaces';
    }
    if (Object.keys(fieldErrors).length > 0) return errors(400, [], fieldErrors);
    if (!this.can(request.as, 'CREATE_ISSUES', project!.key)) return errors(403, ['You do not have permission to create issues in this project.']);

    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    const number = (this.state.counters[project!.key] ?? 0) + 1;
    this.state.counters[project!.key] = number;
    const id = String(this.state.nextIssueId++);
    const now = new Date().toISOString().replace('Z', '+0000');
    const description = typeof fields.description === 'string' ? plainToAdf(fields.description) : (fields.description ?? null);
    const issue: StoredIssue = {
      id,
      key: `${project!.key}-${number}`,
      projectKey: project!.key,
      properties: {},
      fields: {
        summary,
        description,
        issuetype: { id: issueType!.id, name: issueType!.name },
        project: projectJson(project!),
        priority: priority ? { ...priority } : null,
        status: { name: 'To Do', id: '10000' },
        labels: (fields.labels as string[] | undefined) ?? [],
        components: [],
        reporter: this.reporterJson(accountId),
        creator: { accountId },
        created: now,
        updated: now,
        ...(project!.projectTypeKey === 'service_desk' ? { customfield_10010: { requestType: { id: '1', name: issueType!.name === 'Incident' ? 'Report a system problem' : 'Get IT help' } } } : {}),
      },
    };
    this.state.issues.push(issue);
    this.onChange?.();
    this.fire('avi:jira:created:issue', { issue: { id, key: issue.key, fields: this.eventFields(issue) }, atlassianId: accountId, timestamp: Date.now() });
    return json(201, { id, key: issue.key, self: `${this.baseUrl()}/rest/api/3/issue/${id}` });
  }

  private editIssue(request: JiraRequest, idOrKey: string, body: Json): Response {
    const issue = this.issue(idOrKey);
    if (!issue || !this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey)) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (!this.can(request.as, 'EDIT_ISSUES', issue.projectKey)) return errors(403, ['You do not have permission to edit issues in this project.']);
    const fields = (body?.fields ?? {}) as Json;
    const items: Json[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (!['summary', 'description', 'labels', 'priority'].includes(field)) return errors(400, [], { [field]: `Field '${field}' cannot be set in the sandbox.` });
      const next = field === 'description' && typeof value === 'string' ? plainToAdf(value) : field === 'priority' ? PRIORITIES.find((p) => p.name === (value as Json)?.name || p.id === (value as Json)?.id) : value;
      items.push({ field, fieldId: field, fromString: text(issue.fields[field]), toString: text(next) });
      issue.fields[field] = next;
    }
    issue.fields.updated = new Date().toISOString().replace('Z', '+0000');
    this.onChange?.();
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    if (items.length > 0) {
      this.fire('avi:jira:updated:issue', {
        issue: { id: issue.id, key: issue.key, fields: this.eventFields(issue) },
        atlassianId: accountId,
        timestamp: Date.now(),
        changelog: { id: String(Date.now()), items },
      });
    }
    return json(204, null);
  }

  private deleteIssue(request: JiraRequest, idOrKey: string): Response {
    const issue = this.issue(idOrKey);
    if (!issue) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (!this.can(request.as, 'DELETE_ISSUES', issue.projectKey)) return errors(403, ['You do not have permission to delete issues in this project.']);
    this.state.issues = this.state.issues.filter((i) => i !== issue);
    this.onChange?.();
    return json(204, null);
  }

  private getIssue(request: JiraRequest, idOrKey: string, url: URL): Response {
    const issue = this.issue(idOrKey);
    if (!issue || !this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey)) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    const wanted = url.searchParams.get('fields')?.split(',').filter(Boolean);
    const fields = wanted && !wanted.includes('*all') ? Object.fromEntries(Object.entries(issue.fields).filter(([key]) => wanted.includes(key))) : issue.fields;
    return json(200, { id: issue.id, key: issue.key, self: `${this.baseUrl()}/rest/api/3/issue/${issue.id}`, fields });
  }

  private property(request: JiraRequest, idOrKey: string, key: string, body: unknown): Response {
    const issue = this.issue(idOrKey);
    if (!issue || !this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey)) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (request.method === 'GET') {
      return key in issue.properties ? json(200, { key, value: issue.properties[key] }) : errors(404, [`The property with key '${key}' does not exist.`]);
    }
    if (request.method === 'PUT') {
      if (!this.can(request.as, 'EDIT_ISSUES', issue.projectKey)) return errors(403, ['You do not have permission to edit this issue.']);
      const existed = key in issue.properties;
      issue.properties[key] = body;
      this.onChange?.();
      return json(existed ? 200 : 201, {});
    }
    return errors(405, ['Method not allowed']);
  }

  /** The JQL the sandbox understands: `field = value` clauses joined by AND, on a few fields. */
  private matches(issue: StoredIssue, jql: string): boolean {
    const clauses = jql.split(/\s+AND\s+/i).filter((c) => c.trim().length > 0);
    return clauses.every((clause) => {
      const parsed = clause.trim().match(/^(issue\.property\[ticket-enhancer\]\.status|[a-zA-Z]+)\s*(=|!=|~)\s*"?([^"]*)"?$/);
      if (!parsed) throw new Error(`The JQL clause "${clause.trim()}" is not understood by the sandbox (use field = value joined by AND)`);
      const [, field, op, value] = parsed;
      const f = issue.fields;
      const actual: string[] =
        field === 'project' ? [issue.projectKey] :
        field === 'labels' ? (f.labels as string[]) :
        field === 'priority' ? [String((f.priority as Json | null)?.name ?? '')] :
        field === 'issuetype' || field === 'type' ? [String((f.issuetype as Json).name)] :
        field === 'status' ? [String((f.status as Json).name)] :
        field === 'summary' ? [String(f.summary)] :
        field.startsWith('issue.property') ? [String((issue.properties['ticket-enhancer'] as Json | undefined)?.status ?? '')] :
        (() => { throw new Error(`Field '${field}' does not exist or you do not have permission to view it.`); })();
      if (op === '~') return actual.some((a) => a.toLowerCase().includes(value.toLowerCase()));
      const has = actual.some((a) => a.toLowerCase() === value.toLowerCase());
      return op === '=' ? has : !has;
    });
  }

  private jqlMatch(body: Json): Response {
    const jqls = (body?.jqls as string[]) ?? [];
    const ids = ((body?.issueIds as number[]) ?? []).map(String);
    return json(200, {
      matches: jqls.map((jql) => {
        try {
          // Check the whole query even when no issue is given, as Jira does.
          this.matches({ id: '0', key: 'X-0', projectKey: '', fields: { labels: [], priority: null, issuetype: { name: '' }, status: { name: '' }, summary: '' }, properties: {} }, jql);
          const matchedIssues = ids.filter((id) => {
            const issue = this.issue(id);
            return issue ? this.matches(issue, jql) : false;
          });
          return { matchedIssues: matchedIssues.map(Number), errors: [] };
        } catch (error) {
          return { matchedIssues: [], errors: [error instanceof Error ? error.message : String(error)] };
        }
      }),
    });
  }

  private search(request: JiraRequest, url: URL): Response {
    const jql = url.searchParams.get('jql') ?? '';
    try {
      const issues = this.state.issues
        .filter((issue) => this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey) && (jql.trim() === '' || this.matches(issue, jql.replace(/\s+ORDER BY.*$/i, ''))))
        .reverse()
        .map((issue) => ({ id: issue.id, key: issue.key, fields: issue.fields }));
      return json(200, { issues, isLast: true });
    } catch (error) {
      return errors(400, [error instanceof Error ? error.message : String(error)]);
    }
  }
}

function projectJson(project: Project): Json {
  return { id: project.id, key: project.key, name: project.name, projectTypeKey: project.projectTypeKey };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(' ');
  if (typeof value === 'object' && 'name' in value) return String((value as Json).name);
  return JSON.stringify(value).slice(0, 200);
}

/** Jira stores rich text as ADF; plain text from a create body becomes paragraphs. */
export function plainToAdf(textValue: string): Json {
  return {
    type: 'doc',
    version: 1,
    content: textValue.split(/\n{2,}/).map((paragraph) => ({
      type: 'paragraph',
      content: paragraph.length > 0 ? [{ type: 'text', text: paragraph }] : [],
    })),
  };
}
