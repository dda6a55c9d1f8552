/**
 * A small Jira Cloud stand-in: the REST endpoints the app calls (shapes and scopes from the Jira
 * Cloud platform OpenAPI, REST v3), issue and comment changes that fire Forge product events with
 * the documented payloads (docs "events-reference/jira"), and users with different permissions,
 * among them the AI Ops platform's own account.
 */
import type { JiraRequest } from './runtime/forge-runtime';
import { evaluate, fieldsOf, JqlError, parseJql, type Clause, type FieldReader, type Operand, type Operator, type ParsedJql } from './jql';
import { adfToPlainText } from '../src/core/adf-text';

export interface SandboxUser {
  name: string;
  accountId: string;
  displayName: string;
  emailAddress: string;
  /** Jira returns the e-mail only when the user's profile visibility allows it; most sites hide it. */
  emailVisible: boolean;
  globalPermissions: string[];
  /** project key -> permission keys */
  projectPermissions: Record<string, string[]>;
}

const ALL_PROJECT = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES', 'MOVE_ISSUES', 'DELETE_ISSUES', 'ADD_COMMENTS', 'LINK_ISSUES', 'ADMINISTER_PROJECTS'];
const WORKER = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES', 'MOVE_ISSUES', 'ADD_COMMENTS', 'LINK_ISSUES'];
const COMMENTER = ['BROWSE_PROJECTS', 'ADD_COMMENTS'];

export const SANDBOX_USERS: SandboxUser[] = [
  { name: 'admin', accountId: '557058:0a1d-admin', displayName: 'Ada Admin', emailAddress: 'ada@example.com', emailVisible: true, globalPermissions: ['ADMINISTER'], projectPermissions: { DEMO: ALL_PROJECT, SUP: ALL_PROJECT, FIN: ALL_PROJECT } },
  { name: 'lead', accountId: '557058:0b2e-lead', displayName: 'Lee Lead', emailAddress: 'lee@example.com', emailVisible: false, globalPermissions: [], projectPermissions: { DEMO: ALL_PROJECT, SUP: WORKER } },
  { name: 'agent', accountId: '557058:0c3f-agent', displayName: 'Alex Agent', emailAddress: 'alex@example.com', emailVisible: false, globalPermissions: [], projectPermissions: { DEMO: WORKER, SUP: WORKER } },
  { name: 'viewer', accountId: '557058:0d40-viewer', displayName: 'Vic Viewer', emailAddress: 'vic@example.com', emailVisible: false, globalPermissions: [], projectPermissions: { DEMO: ['BROWSE_PROJECTS'], SUP: ['BROWSE_PROJECTS'] } },
  // The AI Ops platform's Jira account: its Jira tool signs in with this account's API token.
  { name: 'aiops', accountId: '712020:5e1f-aiops-bot', displayName: 'AI Ops Bot', emailAddress: 'aiops-bot@example.com', emailVisible: false, globalPermissions: [], projectPermissions: { DEMO: COMMENTER, SUP: COMMENTER } },
  // A support engineer whose e-mail account the platform's own setup may give its Jira tool: the
  // same account comments by hand too (AIOPS-CONTRACT "What the platform does in practice").
  { name: 'sam', accountId: '557058:0e51-sam', displayName: 'Sam Support', emailAddress: 'sam@example.com', emailVisible: false, globalPermissions: [], projectPermissions: { DEMO: WORKER, SUP: WORKER } },
];

export const AIOPS_ACCOUNT = SANDBOX_USERS.find((u) => u.name === 'aiops')!;
/** The person's account the embedded AI Ops may comment as (`npm start -- --aiops-account person`). */
export const PERSON_ACCOUNT = SANDBOX_USERS.find((u) => u.name === 'sam')!;
export const APP_ACCOUNT_ID = '557058:app-ticket-enhancer';

interface Project {
  id: string;
  key: string;
  name: string;
  projectTypeKey: 'software' | 'service_desk';
  issueTypes: Array<{ id: string; name: string }>;
  /** The priorities the project's priority scheme offers. */
  priorities: Array<{ id: string; name: string }>;
  components?: Array<{ id: string; name: string }>;
}

/** REST v3 "Get issue link types": the four a new site has. */
export const ISSUE_LINK_TYPES = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
];

const DEFAULT_PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];

export const PROJECTS: Project[] = [
  {
    id: '10000',
    key: 'DEMO',
    name: 'Demo',
    projectTypeKey: 'software',
    issueTypes: [{ id: '10004', name: 'Bug' }, { id: '10001', name: 'Task' }, { id: '10002', name: 'Story' }],
    priorities: DEFAULT_PRIORITIES,
    components: [{ id: '10300', name: 'Checkout' }, { id: '10301', name: 'Payments' }, { id: '10302', name: 'Search' }],
  },
  {
    id: '10010',
    key: 'SUP',
    name: 'Support',
    projectTypeKey: 'service_desk',
    issueTypes: [{ id: '10100', name: 'Service request' }, { id: '10101', name: 'Incident' }],
    // A project with its own priority scheme.
    priorities: [{ id: '10201', name: 'P1 - Critical' }, { id: '10202', name: 'P2 - Major' }, { id: '10203', name: 'P3 - Minor' }],
    components: [{ id: '10310', name: 'VPN' }, { id: '10311', name: 'Printing' }],
  },
  // A project only the Jira admin may browse: what other users must never reach through the app.
  { id: '10020', key: 'FIN', name: 'Finance', projectTypeKey: 'software', issueTypes: [{ id: '10004', name: 'Bug' }, { id: '10001', name: 'Task' }], priorities: DEFAULT_PRIORITIES },
];

/** Every priority of the site (the deprecated `GET /rest/api/3/priority`). */
export const PRIORITIES = [...DEFAULT_PRIORITIES, ...PROJECTS[1].priorities];

export interface StoredComment {
  id: string;
  authorAccountId: string;
  body: unknown;
  created: string;
  updated: string;
  /** Made internal through the Service Management API (`public: false`): customers do not see it. */
  internal?: boolean;
}

export interface StoredIssue {
  id: string;
  key: string;
  /** Keys the issue had before it was moved: Jira still finds it by them. */
  previousKeys?: string[];
  /** Issue panels someone added to this issue with its Apps button (Jira keeps them for everyone). */
  addedPanels?: string[];
  projectKey: string;
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
  comments?: StoredComment[];
}

export interface JiraState {
  issues: StoredIssue[];
  nextIssueId: number;
  nextCommentId?: number;
  counters: Record<string, number>;
}

export type ProductEventSink = (eventType: string, payload: Record<string, unknown>) => Promise<void>;

type Json = Record<string, unknown>;

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const errors = (status: number, messages: string[], fieldErrors: Record<string, string> = {}) => json(status, { errorMessages: messages, errors: fieldErrors });

/** Jira's timestamps: ISO with a numeric offset, as REST v3 and the event payloads give them. */
const jiraTime = (ms = Date.now()) => new Date(ms).toISOString().replace('Z', '+0000');

/** Jira's limit on a comment (jira.text.field.character.limit, 32,767 on Cloud). */
const MAX_COMMENT_CHARS = 32_767;

/** Jira limits an entity property value to 32,768 bytes (REST "Issue properties"). */
const MAX_PROPERTY_BYTES = 32_768;

export class JiraStandIn {
  state: JiraState = { issues: [], nextIssueId: 10001, nextCommentId: 10500, counters: {} };
  /** When on, every product event is delivered twice, as Forge sometimes does. */
  duplicateEvents = false;
  /** Rate limits scripted by tests: the next matching requests answer 429 (see `rateLimit`). */
  private readonly limits: Array<{ remaining: number; path: RegExp; retryAfterSeconds: number }> = [];
  onChange?: () => void;
  private readonly pendingEvents = new Set<Promise<void>>();
  /** Recent writes of each issue property (`issueId key`), so event filters can see older values. */
  private readonly propertyLog = new Map<string, Array<{ at: number; before: unknown; after: unknown }>>();

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

  /**
   * An issue property as it was at `asOfMs` (undefined when it did not exist): what an event filter
   * that reads `event.runtime.issue.properties[...]` sees, since its values lag behind the writes
   * (source: https://developer.atlassian.com/platform/forge/events-reference/product_events/,
   * "Data freshness").
   */
  propertyAsOf(issueId: string, key: string, asOfMs: number): unknown {
    const issue = this.issue(issueId);
    const log = this.propertyLog.get(`${issue?.id}\u0000${key}`);
    if (!issue || !log) return issue?.properties[key];
    const last = log.filter((entry) => entry.at <= asOfMs).at(-1);
    return last ? last.after : log[0].before;
  }

  private recordProperty(issue: StoredIssue, key: string, after: unknown): void {
    const id = `${issue.id}\u0000${key}`;
    const log = this.propertyLog.get(id) ?? [];
    log.push({ at: Date.now(), before: issue.properties[key], after });
    // Filters look back seconds, not minutes: the last 20 writes of a property are plenty.
    this.propertyLog.set(id, log.slice(-20));
  }

  issue(idOrKey: string): StoredIssue | undefined {
    const ref = idOrKey.toLowerCase();
    return this.state.issues.find((i) => i.id === idOrKey || i.key.toLowerCase() === ref) ?? this.state.issues.find((i) => i.previousKeys?.some((key) => key.toLowerCase() === ref));
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

  /**
   * `issue.fields` as issue events carry them (docs "events-reference/jira", Issue type reference
   * and example): summary, issuetype, creator, created, project, reporter, assignee, updated,
   * status; no description, labels or priority. Users appear as `{ accountId }`.
   */
  eventFields(issue: StoredIssue): Json {
    const f = issue.fields;
    const ref = (user: unknown) => (user ? { accountId: (user as Json).accountId } : null);
    return {
      summary: f.summary,
      issuetype: f.issuetype,
      creator: ref(f.creator),
      created: f.created,
      project: f.project,
      reporter: ref(f.reporter),
      assignee: ref(f.assignee),
      updated: f.updated,
      status: f.status,
    };
  }

  /** Common fields of every Jira event: `timestamp` is a string of epoch milliseconds. */
  private issueEvent(issue: StoredIssue, accountId: string, extra: Json = {}): Json {
    return { issue: { id: issue.id, key: issue.key, fields: this.eventFields(issue) }, atlassianId: accountId, associatedUsers: [{ accountId }], timestamp: String(Date.now()), ...extra };
  }

  /**
   * The next `count` requests whose path matches answer as Jira's burst rate limit does (docs
   * "Rate limiting" and "Build an app that respects rate limits", Jira Cloud platform): 429 with
   * `Retry-After` in seconds and `RateLimit-Reason: jira-burst-based`.
   */
  rateLimit(count: number, path: RegExp, retryAfterSeconds = 5): void {
    this.limits.push({ remaining: count, path, retryAfterSeconds });
  }

  async handle(request: JiraRequest): Promise<Response> {
    const url = new URL(request.path, 'http://jira.local');
    const path = url.pathname.replace(/\/+$/, '');
    const limit = this.limits.find((l) => l.remaining > 0 && l.path.test(path));
    if (limit) {
      limit.remaining -= 1;
      return new Response(JSON.stringify({ errorMessages: ['Rate limit exceeded.'], errors: {} }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': String(limit.retryAfterSeconds), 'ratelimit-reason': 'jira-burst-based' },
      });
    }
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
    if (path === '/rest/api/3/user/search' && request.method === 'GET') return this.userSearch(url);
    if (path === '/rest/api/3/user/bulk' && request.method === 'GET') {
      // REST v3 "Bulk get users": a page of the named accounts that exist.
      const ids = url.searchParams.getAll('accountId').slice(0, 90);
      const values = ids.filter((id) => this.user(id) || id === APP_ACCOUNT_ID).map((id) => this.userJson(id));
      return json(200, { maxResults: 10, startAt: 0, total: values.length, isLast: true, values });
    }
    if (path === '/rest/api/3/project/search') return json(200, { values: PROJECTS.map(projectJson), total: PROJECTS.length, isLast: true });
    if ((match = m(/^\/rest\/api\/3\/project\/([^/]+)$/))) {
      const project = this.project(decodeURIComponent(match[1]));
      return project ? json(200, projectJson(project)) : errors(404, ['No project could be found']);
    }
    if ((match = m(/^\/rest\/api\/3\/project\/([^/]+)\/components$/))) {
      const project = this.project(decodeURIComponent(match[1]));
      if (!project || !this.can(request.as, 'BROWSE_PROJECTS', project.key)) return errors(404, ['No project could be found']);
      return json(200, (project.components ?? []).map((c) => ({ ...c, self: `${this.baseUrl()}/rest/api/3/component/${c.id}` })));
    }
    if (path === '/rest/api/3/issueLinkType' && request.method === 'GET') return json(200, { issueLinkTypes: ISSUE_LINK_TYPES });
    if (path === '/rest/api/3/issueLink' && request.method === 'POST') return this.linkIssues(request, body as Json);
    if (path === '/rest/api/3/issuetype/project') {
      const project = this.project(url.searchParams.get('projectId') ?? '');
      return project ? json(200, project.issueTypes) : errors(404, ['No project could be found']);
    }
    if ((match = m(/^\/rest\/api\/3\/issue\/createmeta\/([^/]+)\/issuetypes\/([^/]+)$/))) return this.createMeta(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
    if (path === '/rest/api/3/jql/match' && request.method === 'POST') return this.jqlMatch(request, body as Json);
    if (path === '/rest/api/3/jql/parse' && request.method === 'POST') return this.jqlParse(request, url, body as Json);
    if (path === '/rest/api/3/search/jql' && request.method === 'GET') return this.search(request, url);
    if (path === '/rest/api/3/search/approximate-count' && request.method === 'POST') return this.count(request, body as Json);
    if (path === '/rest/api/3/issue' && request.method === 'POST') return this.createIssue(request, body as Json);
    if (path === '/rest/api/3/bulk/issues/move' && request.method === 'POST') return this.moveIssues(request, body as Json);
    if ((match = m(/^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/))) return this.property(request, decodeURIComponent(match[1]), decodeURIComponent(match[2]), body);
    if ((match = m(/^\/rest\/api\/3\/issue\/([^/]+)\/comment$/))) {
      const idOrKey = decodeURIComponent(match[1]);
      if (request.method === 'GET') return this.listComments(request, idOrKey, url);
      if (request.method === 'POST') return this.addComment(request, idOrKey, body as Json);
    }
    if ((match = m(/^\/rest\/api\/3\/issue\/([^/]+)\/comment\/([^/]+)$/))) {
      const [idOrKey, commentId] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
      if (request.method === 'GET') return this.getComment(request, idOrKey, commentId);
      if (request.method === 'PUT') return this.editComment(request, idOrKey, commentId, body as Json);
      if (request.method === 'DELETE') return this.deleteComment(request, idOrKey, commentId);
    }
    if ((match = m(/^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/)) && request.method === 'POST') return this.addRequestComment(request, decodeURIComponent(match[1]), body as Json);
    if ((match = m(/^\/rest\/servicedeskapi\/request\/([^/]+)\/comment\/([^/]+)$/)) && request.method === 'GET') return this.getRequestComment(request, decodeURIComponent(match[1]), decodeURIComponent(match[2]));
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

  /** Users as REST v3 returns them: the e-mail only when the profile allows it. */
  userJson(accountId: string): Json {
    const user = this.user(accountId);
    return {
      accountId,
      accountType: accountId === APP_ACCOUNT_ID ? 'app' : 'atlassian',
      displayName: user?.displayName ?? (accountId === APP_ACCOUNT_ID ? 'AI Ops Ticket Enhancer' : 'Unknown'),
      ...(user?.emailVisible ? { emailAddress: user.emailAddress } : {}),
      active: true,
    };
  }

  private userSearch(url: URL): Response {
    const query = (url.searchParams.get('query') ?? '').toLowerCase();
    return json(
      200,
      SANDBOX_USERS.filter((u) => !query || u.displayName.toLowerCase().includes(query) || u.name.includes(query)).map((u) => this.userJson(u.accountId)),
    );
  }

  private createMeta(projectRef: string, issueTypeId: string): Response {
    const project = this.project(projectRef);
    if (!project || !project.issueTypes.some((t) => t.id === issueTypeId)) return errors(404, ['Issue type with id ' + issueTypeId + ' does not exist or is not in project']);
    const fields = [
      { fieldId: 'summary', key: 'summary', name: 'Summary', required: true, hasDefaultValue: false, operations: ['set'] },
      { fieldId: 'priority', key: 'priority', name: 'Priority', required: false, hasDefaultValue: true, operations: ['set'], allowedValues: project.priorities },
      { fieldId: 'labels', key: 'labels', name: 'Labels', required: false, hasDefaultValue: false, operations: ['add', 'set', 'remove'] },
    ];
    return json(200, { fields, maxResults: 50, startAt: 0, total: fields.length });
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
    const priorityRef = fields.priority as { name?: string; id?: string } | null | undefined;
    const priority = priorityRef === null ? null : priorityRef ? project?.priorities.find((p) => p.id === priorityRef.id || p.name === priorityRef.name) : project?.priorities[Math.floor((project?.priorities.length ?? 1) / 2)];
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
    const now = jiraTime();
    const description = typeof fields.description === 'string' ? plainToAdf(fields.description) : (fields.description ?? null);
    // An issue can be created without a reporter (imports, some automations).
    const reporter = fields.reporter === null ? null : this.userJson(accountId);
    const issue: StoredIssue = {
      id,
      key: `${project!.key}-${number}`,
      projectKey: project!.key,
      properties: {},
      comments: [],
      fields: {
        summary,
        description,
        issuetype: { id: issueType!.id, name: issueType!.name },
        project: projectJson(project!),
        priority: priority ? { ...priority } : null,
        status: { name: 'To Do', id: '10000', statusCategory: { key: 'new', name: 'To Do' } },
        labels: (fields.labels as string[] | undefined) ?? [],
        components: (Array.isArray(fields.components) ? (fields.components as Json[]) : []).flatMap((c) => (project!.components ?? []).filter((pc) => pc.id === c.id || pc.name === c.name)),
        issuelinks: [],
        reporter,
        creator: this.userJson(accountId),
        assignee: null,
        created: now,
        updated: now,
        ...(project!.projectTypeKey === 'service_desk' ? { customfield_10010: { requestType: { id: '1', name: issueType!.name === 'Incident' ? 'Report a system problem' : 'Get IT help' } } } : {}),
      },
    };
    this.state.issues.push(issue);
    this.onChange?.();
    this.fire('avi:jira:created:issue', this.issueEvent(issue, accountId));
    return json(201, { id, key: issue.key, self: `${this.baseUrl()}/rest/api/3/issue/${id}` });
  }

  private editIssue(request: JiraRequest, idOrKey: string, body: Json): Response {
    const issue = this.issue(idOrKey);
    if (!issue || !this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey)) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (!this.can(request.as, 'EDIT_ISSUES', issue.projectKey)) return errors(403, ['You do not have permission to edit issues in this project.']);
    const project = this.project(issue.projectKey)!;
    // `update` operations (REST v3 "Edit issue"): `add` and `remove` on labels and components.
    const fields = { ...((body?.fields ?? {}) as Json) };
    for (const [field, ops] of Object.entries((body?.update ?? {}) as Record<string, Array<Record<string, unknown>>>)) {
      if (!['labels', 'components'].includes(field) || !Array.isArray(ops)) return errors(400, [], { [field]: `Field '${field}' cannot be updated in the sandbox.` });
      let list = [...((issue.fields[field] as unknown[]) ?? [])];
      for (const op of ops) {
        if ('add' in op) list = [...list, op.add];
        if ('remove' in op) list = list.filter((v) => JSON.stringify(v) !== JSON.stringify(op.remove) && (v as Json)?.name !== (op.remove as Json)?.name);
      }
      fields[field] = list;
    }
    const fieldErrors: Record<string, string> = {};
    const items: Json[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (!['summary', 'description', 'labels', 'priority', 'components', 'issuetype'].includes(field)) return errors(400, [], { [field]: `Field '${field}' cannot be set in the sandbox.` });
      if (field === 'labels' && (!Array.isArray(value) || value.some((l) => typeof l !== 'string' || /\s/.test(l)))) fieldErrors.labels = 'Labels must be a list of words without spaces';
      if (field === 'priority' && !project.priorities.some((p) => p.name === (value as Json)?.name || p.id === (value as Json)?.id)) fieldErrors.priority = 'Specify a valid priority';
      if (field === 'issuetype' && !project.issueTypes.some((t) => t.name === (value as Json)?.name || t.id === (value as Json)?.id)) fieldErrors.issuetype = 'Specify a valid issue type';
      if (field === 'components' && (!Array.isArray(value) || value.some((c) => !(project.components ?? []).some((pc) => pc.id === (c as Json)?.id || pc.name === (c as Json)?.name)))) {
        fieldErrors.components = `Component name '${(Array.isArray(value) ? value : []).map((c) => String((c as Json)?.name ?? (c as Json)?.id)).find((n) => !(project.components ?? []).some((pc) => pc.name === n || pc.id === n)) ?? ''}' is not valid`;
      }
    }
    if (Object.keys(fieldErrors).length > 0) return errors(400, [], fieldErrors);
    for (const [field, value] of Object.entries(fields)) {
      const next =
        field === 'description' && typeof value === 'string'
          ? plainToAdf(value)
          : field === 'priority'
            ? project.priorities.find((p) => p.name === (value as Json)?.name || p.id === (value as Json)?.id)
            : field === 'issuetype'
              ? project.issueTypes.find((t) => t.name === (value as Json)?.name || t.id === (value as Json)?.id)
              : field === 'components'
                ? [...new Map((value as Json[]).map((c) => project.components!.find((pc) => pc.id === c.id || pc.name === c.name)!).map((c) => [c.id, { ...c }])).values()]
                : field === 'labels'
                  ? [...new Set(value as string[])]
                  : value;
      // docs "events-reference/jira": changelog.items[] { field, fieldtype, fieldId, from, fromString, to, toString }
      items.push({ field, fieldtype: 'jira', fieldId: field, from: null, fromString: text(issue.fields[field]), to: null, toString: text(next) });
      issue.fields[field] = next;
    }
    issue.fields.updated = jiraTime();
    this.onChange?.();
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    if (items.length > 0) this.fire('avi:jira:updated:issue', this.issueEvent(issue, accountId, { changelog: { id: String(Date.now()), items } }));
    return json(204, null);
  }

  /**
   * `POST /rest/api/3/bulk/issues/move` (OpenAPI "Bulk move issues"): `targetToSourcesMapping`
   * keyed `<project id or key>,<issue type id>` with `issueIdsOrKeys`. The issue keeps its id and
   * takes a key of the target project; its old key still finds it. Needs MOVE_ISSUES in the source
   * and CREATE_ISSUES in the target project. The sandbox moves at once and answers the task id.
   */
  private moveIssues(request: JiraRequest, body: Json): Response {
    const mapping = (body?.targetToSourcesMapping ?? {}) as Record<string, { issueIdsOrKeys?: string[] }>;
    const entries = Object.entries(mapping);
    if (entries.length === 0) return json(400, { errors: [{ message: 'targetToSourcesMapping is required' }] });
    const moves: Array<{ issue: StoredIssue; target: Project; type: { id: string; name: string } }> = [];
    for (const [key, source] of entries) {
      const [projectRef, typeId] = key.split(',');
      const target = this.project(projectRef);
      const type = target?.issueTypes.find((t) => t.id === typeId);
      if (!target || !type) return json(400, { errors: [{ message: `The target ${key} is not a project and issue type of this site` }] });
      if (!this.can(request.as, 'CREATE_ISSUES', target.key)) return json(400, { errors: [{ message: `You cannot create issues in ${target.key}` }] });
      for (const ref of source.issueIdsOrKeys ?? []) {
        const issue = this.visibleIssue(request, ref);
        if (!issue || !this.can(request.as, 'MOVE_ISSUES', issue.projectKey)) return json(400, { errors: [{ message: 'Some of the issues in the issueIdsOrKeys are not valid' }] });
        moves.push({ issue, target, type });
      }
    }
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    for (const { issue, target, type } of moves) {
      if (issue.projectKey === target.key) continue;
      const number = (this.state.counters[target.key] ?? 0) + 1;
      this.state.counters[target.key] = number;
      const from = { project: issue.fields.project, key: issue.key };
      issue.previousKeys = [...(issue.previousKeys ?? []), issue.key];
      issue.key = `${target.key}-${number}`;
      issue.projectKey = target.key;
      issue.fields.project = projectJson(target);
      issue.fields.issuetype = { id: type.id, name: type.name };
      issue.fields.updated = jiraTime();
      const items = [
        { field: 'project', fieldtype: 'jira', fieldId: 'project', from: (from.project as Json).id, fromString: (from.project as Json).name, to: target.id, toString: target.name },
        { field: 'Key', fieldtype: 'jira', fieldId: 'issuekey', from: null, fromString: from.key, to: null, toString: issue.key },
      ];
      this.fire('avi:jira:updated:issue', this.issueEvent(issue, accountId, { changelog: { id: String(Date.now()), items } }));
    }
    this.onChange?.();
    return json(201, { taskId: String(10_000 + moves.length) });
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
    if (request.method === 'PUT' || request.method === 'DELETE') {
      if (!this.can(request.as, 'EDIT_ISSUES', issue.projectKey)) return errors(403, ['You do not have permission to edit this issue.']);
      if (request.method === 'DELETE') {
        this.recordProperty(issue, key, undefined);
        delete issue.properties[key];
        this.onChange?.();
        return json(204, null);
      }
      if (Buffer.byteLength(JSON.stringify(body ?? null)) > MAX_PROPERTY_BYTES) return errors(400, [`The property value is longer than ${MAX_PROPERTY_BYTES} bytes.`]);
      const existed = key in issue.properties;
      this.recordProperty(issue, key, body);
      issue.properties[key] = body;
      this.onChange?.();
      return json(existed ? 200 : 201, {});
    }
    return errors(405, ['Method not allowed']);
  }

  // ---- comments ---------------------------------------------------------------------------

  private commentJson(comment: StoredComment): Json {
    return {
      id: comment.id,
      self: `${this.baseUrl()}/rest/api/3/issue/comment/${comment.id}`,
      author: this.userJson(comment.authorAccountId),
      updateAuthor: this.userJson(comment.authorAccountId),
      body: comment.body,
      created: comment.created,
      updated: comment.updated,
      // REST v3: true for every comment not made internal, whatever the project type.
      jsdPublic: !comment.internal,
      ...(comment.internal ? { properties: [{ key: 'sd.public.comment', value: { internal: true } }] } : {}),
    };
  }

  /** The comment as comment events carry it (docs "events-reference/jira", Comment). */
  private commentEventJson(comment: StoredComment): Json {
    return {
      id: comment.id,
      author: { accountId: comment.authorAccountId },
      updateAuthor: { accountId: comment.authorAccountId },
      body: comment.body,
      created: comment.created,
      updated: comment.updated,
      jsdPublic: !comment.internal,
    };
  }

  private visibleIssue(request: JiraRequest, idOrKey: string): StoredIssue | undefined {
    const issue = this.issue(idOrKey);
    return issue && this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey) ? issue : undefined;
  }

  private listComments(request: JiraRequest, idOrKey: string, url: URL): Response {
    const issue = this.visibleIssue(request, idOrKey);
    if (!issue) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    const order = url.searchParams.get('orderBy') ?? 'created';
    const max = Math.min(Number(url.searchParams.get('maxResults') ?? 50) || 50, 5000);
    const startAt = Number(url.searchParams.get('startAt') ?? 0) || 0;
    const all = [...(issue.comments ?? [])].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : Number(a.id) - Number(b.id)));
    if (order.startsWith('-')) all.reverse();
    return json(200, { comments: all.slice(startAt, startAt + max).map((c) => this.commentJson(c)), startAt, maxResults: max, total: all.length });
  }

  private getComment(request: JiraRequest, idOrKey: string, commentId: string): Response {
    const issue = this.visibleIssue(request, idOrKey);
    const comment = issue?.comments?.find((c) => c.id === commentId);
    return comment ? json(200, this.commentJson(comment)) : errors(404, ['Can not find a comment for the id: ' + commentId + '.']);
  }

  /** REST v3 takes comment bodies as ADF; a plain string is refused as Jira does, and so is a comment over 32,767 characters. */
  private adfBodyProblem(body: unknown): string | undefined {
    if (!body || typeof body !== 'object' || (body as Json).type !== 'doc' || (body as Json).version !== 1 || !Array.isArray((body as Json).content)) {
      return 'Comment body is not valid! The body must be an Atlassian Document Format document.';
    }
    if (JSON.stringify(body).length > MAX_COMMENT_CHARS) return `The entered text is too long. It exceeds the allowed limit of ${MAX_COMMENT_CHARS} characters.`;
    return undefined;
  }

  private addComment(request: JiraRequest, idOrKey: string, body: Json): Response {
    const issue = this.visibleIssue(request, idOrKey);
    if (!issue) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (!this.can(request.as, 'ADD_COMMENTS', issue.projectKey)) return errors(403, ['You do not have the permission to comment on this issue.']);
    const problem = this.adfBodyProblem(body?.body);
    if (problem) return errors(400, [], { comment: problem });
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    const now = jiraTime();
    this.state.nextCommentId = (this.state.nextCommentId ?? 10500) + 1;
    // The Service Management property a platform-API comment can carry to be an internal note.
    const internal = Array.isArray(body.properties) && (body.properties as Json[]).some((p) => p.key === 'sd.public.comment' && (p.value as Json)?.internal === true);
    const comment: StoredComment = { id: String(this.state.nextCommentId), authorAccountId: accountId, body: body.body, created: now, updated: now, ...(internal ? { internal: true } : {}) };
    (issue.comments ??= []).push(comment);
    this.onChange?.();
    this.fire('avi:jira:commented:issue', this.issueEvent(issue, accountId, { comment: this.commentEventJson(comment) }));
    return json(201, this.commentJson(comment));
  }

  /**
   * REST v3 "Create issue link": Browse on both issues, Link issues on the outward issue's project.
   * A link that exists already is not made twice, and the answer is 201 all the same, as Jira's.
   */
  private linkIssues(request: JiraRequest, body: Json): Response {
    const type = ISSUE_LINK_TYPES.find((t) => t.name === (body?.type as Json)?.name || t.id === (body?.type as Json)?.id);
    const ref = (side: unknown) => String((side as Json)?.key ?? (side as Json)?.id ?? '');
    const inward = this.visibleIssue(request, ref(body?.inwardIssue));
    const outward = this.visibleIssue(request, ref(body?.outwardIssue));
    if (!type) return errors(404, ['No issue link type with name or id was found.']);
    if (!inward || !outward) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
    if (!this.can(request.as, 'LINK_ISSUES', outward.projectKey)) return errors(403, ['You do not have the permission to link issues.']);
    const links = (issue: StoredIssue) => ((issue.fields.issuelinks ??= []) as Json[]);
    const exists = links(outward).some((l) => (l.type as Json).id === type.id && (l.outwardIssue as Json | undefined)?.id === inward.id);
    if (!exists) {
      const id = String(20000 + this.state.issues.reduce((n, i) => n + ((i.fields.issuelinks as unknown[] | undefined)?.length ?? 0), 0));
      const brief = (issue: StoredIssue) => ({ id: issue.id, key: issue.key, fields: { summary: issue.fields.summary, status: issue.fields.status } });
      links(outward).push({ id, type, outwardIssue: brief(inward) });
      links(inward).push({ id, type, inwardIssue: brief(outward) });
      this.onChange?.();
    }
    return json(201, null);
  }

  /**
   * Service Management "Create request comment" (`POST /rest/servicedeskapi/request/{issueIdOrKey}/comment`,
   * `{ body, public }`): the body is text, `public: false` makes an internal note. Only requests of a
   * service project exist there. The comment is the issue's comment, with its event.
   */
  private addRequestComment(request: JiraRequest, idOrKey: string, body: Json): Response {
    const issue = this.visibleIssue(request, idOrKey);
    if (!issue || this.project(issue.projectKey)?.projectTypeKey !== 'service_desk') return json(404, { errorMessage: 'The request could not be found.', i18nErrorMessage: { i18nKey: 'sd.request.error.not.found', parameters: [] } });
    if (!this.can(request.as, 'ADD_COMMENTS', issue.projectKey)) return json(403, { errorMessage: 'You do not have permission to comment on this request.' });
    if (typeof body?.body !== 'string' || !body.body.trim()) return json(400, { errorMessage: 'The comment body is required.' });
    if (body.body.length > MAX_COMMENT_CHARS) return json(400, { errorMessage: `The entered text is too long. It exceeds the allowed limit of ${MAX_COMMENT_CHARS} characters.` });
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    const now = jiraTime();
    this.state.nextCommentId = (this.state.nextCommentId ?? 10500) + 1;
    const adf = { type: 'doc', version: 1, content: body.body.split(/\n{2,}/).map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })) };
    const comment: StoredComment = { id: String(this.state.nextCommentId), authorAccountId: accountId, body: adf, created: now, updated: now, ...(body.public === false ? { internal: true } : {}) };
    (issue.comments ??= []).push(comment);
    this.onChange?.();
    this.fire('avi:jira:commented:issue', this.issueEvent(issue, accountId, { comment: this.commentEventJson(comment) }));
    return json(201, this.requestCommentJson(comment));
  }

  private getRequestComment(request: JiraRequest, idOrKey: string, commentId: string): Response {
    const issue = this.visibleIssue(request, idOrKey);
    const comment = issue?.comments?.find((c) => c.id === commentId);
    if (!issue || !comment || this.project(issue.projectKey)?.projectTypeKey !== 'service_desk') return json(404, { errorMessage: 'The comment could not be found.' });
    return json(200, this.requestCommentJson(comment));
  }

  private requestCommentJson(comment: StoredComment): Json {
    return { id: comment.id, body: adfToPlainText(comment.body), public: !comment.internal, author: this.userJson(comment.authorAccountId), created: { iso8601: comment.created } };
  }

  private editComment(request: JiraRequest, idOrKey: string, commentId: string, body: Json): Response {
    const issue = this.visibleIssue(request, idOrKey);
    const comment = issue?.comments?.find((c) => c.id === commentId);
    if (!issue || !comment) return errors(404, ['Can not find a comment for the id: ' + commentId + '.']);
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    if (request.as.kind === 'user' && comment.authorAccountId !== accountId && !this.can(request.as, 'ADMINISTER_PROJECTS', issue.projectKey)) {
      return errors(403, ['You do not have the permission to edit this comment.']);
    }
    const problem = this.adfBodyProblem(body?.body);
    if (problem) return errors(400, [], { comment: problem });
    comment.body = body.body;
    comment.updated = jiraTime();
    this.onChange?.();
    // "sent each time a comment is created or edited" (docs "events-reference/jira").
    this.fire('avi:jira:commented:issue', this.issueEvent(issue, accountId, { comment: this.commentEventJson(comment) }));
    return json(200, this.commentJson(comment));
  }

  private deleteComment(request: JiraRequest, idOrKey: string, commentId: string): Response {
    const issue = this.visibleIssue(request, idOrKey);
    const comment = issue?.comments?.find((c) => c.id === commentId);
    if (!issue || !comment) return errors(404, ['Can not find a comment for the id: ' + commentId + '.']);
    const accountId = request.as.kind === 'user' ? request.as.accountId : APP_ACCOUNT_ID;
    if (request.as.kind === 'user' && comment.authorAccountId !== accountId && !this.can(request.as, 'ADMINISTER_PROJECTS', issue.projectKey)) {
      return errors(403, ['You do not have the permission to delete this comment.']);
    }
    issue.comments = (issue.comments ?? []).filter((c) => c !== comment);
    this.onChange?.();
    this.fire('avi:jira:deleted:comment', this.issueEvent(issue, accountId, { comment: { id: comment.id, author: { accountId: comment.authorAccountId } } }));
    return json(204, null);
  }

  // ---- JQL ---------------------------------------------------------------------------------

  /**
   * Parses a query and checks it as Jira does for the principal who runs it (sandbox/jql.ts holds
   * the grammar): a field that does not exist, an operator the field does not take, or a value that
   * does not exist for this principal (a project they cannot browse reads as one that does not
   * exist) is a JqlError. `problems` collects the value checks instead of throwing (jql/parse
   * reports them as warnings).
   */
  private compile(as: JiraRequest['as'], jql: string, problems?: string[]): ParsedJql {
    const parsed = parseJql(jql);
    for (const term of fieldsOf(parsed.where)) {
      const field = jqlField(term.field);
      if (!field) throw new JqlError(`Field '${term.field}' does not exist or you do not have permission to view it.`);
      if (!FIELD_OPERATORS[field.kind].includes(term.op)) throw new JqlError(`The operator '${term.op}' is not supported by the '${term.field}' field.`);
      const missing = this.missingValue(as, field.name, term);
      if (missing) {
        if (problems) problems.push(missing);
        else throw new JqlError(missing);
      }
    }
    for (const order of parsed.orderBy) {
      if (!['id', 'key', 'issuekey', 'created', 'updated'].includes(order.field.toLowerCase())) throw new JqlError(`Not able to sort using field '${order.field}'.`);
    }
    return parsed;
  }

  private visibleProjects(as: JiraRequest['as']): Project[] {
    return PROJECTS.filter((project) => this.can(as, 'BROWSE_PROJECTS', project.key));
  }

  /** Jira's "does not exist" checks for values a principal names (projects, types, keys, categories). */
  private missingValue(as: JiraRequest['as'], field: string, term: { field: string; op: Operator; operand: Operand }): string | undefined {
    if (term.operand.fn || !['=', '!=', 'IN', 'NOT IN'].includes(term.op)) return undefined;
    const projects = this.visibleProjects(as);
    for (const value of term.operand.values) {
      const v = value.toLowerCase();
      const exists =
        field === 'project' ? projects.some((p) => [p.key, p.id, p.name].some((x) => x.toLowerCase() === v)) :
        field === 'issuetype' ? projects.some((p) => p.issueTypes.some((t) => t.id === value || t.name.toLowerCase() === v)) :
        field === 'statuscategory' ? STATUS_CATEGORIES.some((c) => [c.key, c.name, c.id].some((x) => x.toLowerCase() === v)) :
        field === 'priority' ? PRIORITIES.some((p) => p.id === value || p.name.toLowerCase() === v) :
        field === 'issuekey' && /^[a-z][a-z0-9_]*-\d+$/i.test(value) ? this.state.issues.some((i) => i.key.toLowerCase() === v && this.can(as, 'BROWSE_PROJECTS', i.projectKey)) :
        true;
      if (exists) continue;
      if (field === 'issuekey') return `An issue with key '${value}' does not exist for field '${term.field}'.`;
      return `The value '${value}' does not exist for the field '${term.field}'.`;
    }
    return undefined;
  }

  /** What a field holds for one issue: names and ids both, as Jira compares them. */
  private reader(issue: StoredIssue, as: JiraRequest['as']): FieldReader {
    return (name, _op, operand) => {
      const field = jqlField(name)!;
      const f = issue.fields;
      const named = (value: unknown) => (value ? [String((value as Json).name), String((value as Json).id)] : []);
      const user = (value: unknown) => (value ? [String((value as Json).accountId)] : []);
      if (operand.fn === 'currentuser()') operand = { ...operand, values: as.kind === 'user' ? [as.accountId] : [] };
      switch (field.name) {
        case 'project': {
          const project = this.project(issue.projectKey)!;
          return { values: [project.key, project.id, project.name] };
        }
        case 'issuekey':
          return { values: [issue.key, issue.id], numeric: true };
        case 'labels':
          return { values: (f.labels as string[]) ?? [] };
        case 'component':
          return { values: ((f.components as Json[]) ?? []).map((c) => String(c.name)) };
        case 'priority':
          return { values: named(f.priority) };
        case 'issuetype':
          return { values: named(f.issuetype) };
        case 'status':
          return { values: named(f.status) };
        case 'statuscategory': {
          const category = ((f.status as Json | undefined)?.statusCategory as Json | undefined)?.key ?? 'new';
          const known = STATUS_CATEGORIES.find((c) => c.key === category)!;
          return { values: [known.key, known.name, known.id] };
        }
        case 'summary':
          return { values: f.summary ? [String(f.summary)] : [] };
        case 'description':
          return { values: f.description ? [adfText(f.description)] : [] };
        case 'text':
          return { values: [String(f.summary ?? ''), adfText(f.description)].filter(Boolean) };
        case 'reporter':
        case 'assignee':
        case 'creator':
          return { values: user(f[field.name]) };
        case 'created':
        case 'updated':
          return { values: f[field.name] ? [String(f[field.name]).replace(/([+-]\d\d)(\d\d)$/, '$1:$2')] : [] };
        case 'ticket-enhancer.status': {
          const status = (issue.properties['ticket-enhancer'] as Json | undefined)?.status;
          return { values: status === undefined || status === null ? [] : [String(status)] };
        }
        default:
          throw new JqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
      }
    };
  }

  private evaluateOn(issue: StoredIssue, parsed: ParsedJql, as: JiraRequest['as']): boolean {
    return !parsed.where || evaluate(relativeDates(parsed.where), this.reader(issue, as));
  }

  /**
   * `POST /rest/api/3/jql/match` (as the app): which of the given issues each query matches. Jira
   * checks the whole query even when it names no issue.
   */
  private jqlMatch(request: JiraRequest, body: Json): Response {
    const jqls = (body?.jqls as string[]) ?? [];
    const ids = ((body?.issueIds as number[]) ?? []).map(String);
    return json(200, {
      matches: jqls.map((jql) => {
        try {
          const parsed = this.compile(request.as, jql);
          const matchedIssues = ids.filter((id) => {
            const issue = this.issue(id);
            return issue ? this.evaluateOn(issue, parsed, request.as) : false;
          });
          return { matchedIssues: matchedIssues.map(Number), errors: [] };
        } catch (error) {
          return { matchedIssues: [], errors: [error instanceof Error ? error.message : String(error)] };
        }
      }),
    });
  }

  /**
   * `POST /rest/api/3/jql/parse?validation=strict|warn|none` (OpenAPI "Parse JQL query"): each
   * query's structure, or its errors; values that do not exist are warnings, as in the documented
   * example (`project = INVALID`).
   */
  private jqlParse(request: JiraRequest, url: URL, body: Json): Response {
    const validation = url.searchParams.get('validation');
    if (!validation || !['strict', 'warn', 'none'].includes(validation)) return errors(400, ['The validation query parameter must be strict, warn or none.']);
    const queries = body?.queries;
    if (!Array.isArray(queries) || queries.length === 0 || queries.some((q) => typeof q !== 'string' || q.length === 0)) return errors(400, ['queries must list at least one query.']);
    return json(200, {
      queries: (queries as string[]).map((query) => {
        const warnings: string[] = [];
        try {
          const parsed = validation === 'none' ? parseJql(query) : this.compile(request.as, query, warnings);
          return { query, structure: jqlStructure(parsed), ...(warnings.length > 0 ? { warnings } : {}) };
        } catch (error) {
          return { query, errors: [error instanceof Error ? error.message : String(error)] };
        }
      }),
    });
  }

  /** Newest first, as Jira lists by default; `ORDER BY id|key|created|updated [ASC|DESC]` is followed. */
  private found(request: JiraRequest, jql: string): StoredIssue[] {
    const parsed = this.compile(request.as, jql);
    const hits = this.state.issues.filter((issue) => this.can(request.as, 'BROWSE_PROJECTS', issue.projectKey) && this.evaluateOn(issue, parsed, request.as)).reverse();
    const [order] = parsed.orderBy;
    if (!order) return hits;
    const sign = order.direction === 'DESC' ? -1 : 1;
    const by = order.field.toLowerCase();
    const value = (issue: StoredIssue) => (by === 'created' || by === 'updated' ? Date.parse(String(issue.fields[by]).replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : Number(issue.id));
    return [...hits].sort((a, b) => (value(a) - value(b) || Number(a.id) - Number(b.id)) * sign);
  }

  private search(request: JiraRequest, url: URL): Response {
    const jql = url.searchParams.get('jql') ?? '';
    const max = Math.min(Number(url.searchParams.get('maxResults') ?? 50) || 50, 5000);
    const start = Number(url.searchParams.get('nextPageToken') ?? 0) || 0;
    const wanted = url.searchParams.get('fields')?.split(',').filter(Boolean);
    try {
      const all = this.found(request, jql);
      const pick = (issue: StoredIssue) => (wanted && !wanted.includes('*all') ? Object.fromEntries(Object.entries(issue.fields).filter(([key]) => wanted.includes(key))) : issue.fields);
      // `properties`: issue properties to return with each issue (REST "Search for issues using JQL").
      const propertyKeys = url.searchParams.get('properties')?.split(',').filter(Boolean) ?? [];
      const props = (issue: StoredIssue) => Object.fromEntries(propertyKeys.filter((key) => key in issue.properties).map((key) => [key, issue.properties[key]]));
      const page = all.slice(start, start + max).map((issue) => ({ id: issue.id, key: issue.key, fields: pick(issue), ...(propertyKeys.length > 0 ? { properties: props(issue) } : {}) }));
      const isLast = start + max >= all.length;
      return json(200, { issues: page, isLast, ...(isLast ? {} : { nextPageToken: String(start + max) }) });
    } catch (error) {
      return errors(400, [error instanceof Error ? error.message : String(error)]);
    }
  }

  private count(request: JiraRequest, body: Json): Response {
    try {
      return json(200, { count: this.found(request, String(body?.jql ?? '')).length });
    } catch (error) {
      return errors(400, [error instanceof Error ? error.message : String(error)]);
    }
  }
}

/** Status categories (REST "Get all status categories"): key, name and id. */
const STATUS_CATEGORIES = [
  { key: 'new', name: 'To Do', id: '2' },
  { key: 'indeterminate', name: 'In Progress', id: '4' },
  { key: 'done', name: 'Done', id: '3' },
];

type FieldKind = 'equality' | 'ordered' | 'text' | 'date';

/** The operators each kind of field takes (JQL reference, "Operators" per field). */
const FIELD_OPERATORS: Record<FieldKind, Operator[]> = {
  equality: ['=', '!=', 'IN', 'NOT IN', 'IS', 'IS NOT'],
  ordered: ['=', '!=', 'IN', 'NOT IN', 'IS', 'IS NOT', '>', '>=', '<', '<='],
  date: ['=', '!=', 'IN', 'NOT IN', 'IS', 'IS NOT', '>', '>=', '<', '<='],
  text: ['~', '!~', 'IS', 'IS NOT'],
};

/**
 * The fields the sandbox's Jira knows, by every name JQL accepts for them. The app's indexed issue
 * property answers to `issue.property[ticket-enhancer].status` and its alias `ticketEnhancerStatus`
 * (manifest `jira:entityProperty`); properties that are not indexed cannot be searched.
 */
function jqlField(name: string): { name: string; kind: FieldKind } | undefined {
  const n = name.toLowerCase().replace(/\s+/g, '');
  if (['key', 'issue', 'issuekey', 'id'].includes(n)) return { name: 'issuekey', kind: 'ordered' };
  if (['type', 'issuetype'].includes(n)) return { name: 'issuetype', kind: 'equality' };
  if (['statuscategory', 'category'].includes(n)) return { name: 'statuscategory', kind: 'equality' };
  if (['component', 'components'].includes(n)) return { name: 'component', kind: 'equality' };
  if (['created', 'createddate'].includes(n)) return { name: 'created', kind: 'date' };
  if (['updated', 'updateddate'].includes(n)) return { name: 'updated', kind: 'date' };
  if (['project', 'labels', 'priority', 'status', 'reporter', 'assignee', 'creator'].includes(n)) return { name: n, kind: 'equality' };
  if (['summary', 'description', 'text'].includes(n)) return { name: n, kind: 'text' };
  if (n === 'ticketenhancerstatus' || /^issue\.property\[["']?ticket-enhancer["']?\]\.status$/.test(n)) return { name: 'ticket-enhancer.status', kind: 'equality' };
  return undefined;
}

/** Relative dates (`-7d`, `-2w`, `-4h`, `-30m`) become ISO times, as Jira reads them at search time. */
function relativeDates(clause: Clause): Clause {
  if (clause.kind === 'term') {
    const values = clause.operand.values.map((value) => {
      const relative = /^([+-]?\d+)([wdhm])$/.exec(value.trim());
      if (!relative) return value;
      const unit = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'w' | 'd' | 'h' | 'm'];
      return new Date(Date.now() + Number(relative[1]) * unit).toISOString();
    });
    return { ...clause, operand: { ...clause.operand, values } };
  }
  if (clause.kind === 'not') return { kind: 'not', inner: relativeDates(clause.inner) };
  return { kind: clause.kind, parts: clause.parts.map(relativeDates) };
}

/** A parsed query in the shape of the OpenAPI's JqlQuery (CompoundClause, FieldValueClause). */
function jqlStructure(parsed: ParsedJql): Json {
  const clause = (c: Clause): Json => {
    if (c.kind === 'term') {
      const operand = c.operand.fn
        ? { function: c.operand.fn.replace(/\(.*$/, ''), arguments: [] }
        : c.operand.list
          ? { values: c.operand.values.map((value) => ({ value })) }
          : c.operand.empty
            ? { keyword: 'empty' }
            : { value: c.operand.values[0] };
      return { field: { name: c.field }, operator: c.op.toLowerCase(), operand };
    }
    if (c.kind === 'not') return { operator: 'not', clauses: [clause(c.inner)] };
    return { operator: c.kind, clauses: c.parts.map(clause) };
  };
  return {
    ...(parsed.where ? { where: clause(parsed.where) } : {}),
    ...(parsed.orderBy.length > 0 ? { orderBy: { fields: parsed.orderBy.map((o) => ({ field: { name: o.field }, direction: o.direction.toLowerCase() })) } } : {}),
  };
}

/** The plain text of an ADF document, enough for `~` searches. */
function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const n = node as { text?: unknown; content?: unknown[] };
  return [typeof n.text === 'string' ? n.text : '', ...(Array.isArray(n.content) ? n.content.map(adfText) : [])].join(' ').trim();
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
