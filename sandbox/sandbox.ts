/**
 * The whole local platform in one object: the Forge runtime running the app's unmodified code,
 * the Jira stand-in, the embedded reference AI Ops server (or a real one), and the HTTP server that
 * exposes Jira's REST API, the web triggers and the sandbox routes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import express, { type Request, type Response as ExpressResponse } from 'express';
import { AiOpsServer, type AgentBehaviour, type AiOpsAgent } from './aiops-server';
import { AIOPS_ACCOUNT, APP_ACCOUNT_ID, JiraStandIn, PERSON_ACCOUNT, PROJECTS, SANDBOX_USERS, type JiraState } from './jira';
import { JiraRateLimits, type JiraLimitOptions } from './jira-limits';
import { ForgeRuntime, licenceDetails, stopVirtualClock, type EgressGroup, type LicenceState } from './runtime/forge-runtime';
import { KvsStore, type KvsSnapshot } from './runtime/kvs-store';
import { readManifest, resolverModules, type AppManifest } from './runtime/manifest';
import { buildLocaleBundle, type LocaleBundle } from './runtime/locales';
import { CONNECTION_DEFAULTS } from '../src/core/setting-defaults';
import { keyFingerprint, secretToKey } from '../src/core/signing';
import { buildBrowserAssets, HOST_PAGE, type BuiltAsset } from './browser/build';

export const PROJECT_ROOT = join(__dirname, '..');

/** The embedded AI Ops agent: fixed so a saved sandbox state keeps matching it across restarts. */
export const EMBEDDED_AGENT_ID = '7d3f9a2e-4b1c-4e8d-9f6a-2c5b8e1d0a3f';
export const EMBEDDED_AGENT_SECRET = 'c2FuZGJveC1vbmx5LXNlY3JldC1mb3ItdGhlLWFnZW50IQ==';
export const EMBEDDED_TENANT_ID = 'sandbox-tenant';

export interface ExternalAiOps {
  url: string;
  agentId: string;
  tenantId: string;
  secret: string;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  timeScale?: number;
  /** Where state is kept across restarts; none keeps it in memory only. */
  statePath?: string;
  fresh?: boolean;
  aiops?: ExternalAiOps;
  /** How the embedded AI Ops returns results: a Jira comment (as the real platform does), a callback, or a status URL. */
  results?: 'comment' | 'callback' | 'poll';
  /** Run the scheduled triggers at their intervals (npm start); tests run them by hand. */
  schedules?: boolean;
  /** Extra agents the embedded AI Ops knows (tests). */
  agents?: AiOpsAgent[];
  /**
   * How the embedded AI Ops behaves in practice: the account its Jira tool comments as (its own
   * bot account, or a person's), its agent's instructions (a run marker line), the platform's
   * failures, whether its lookup routes sit behind a login, and whether its analysis ends with
   * the suggestions block (on unless false).
   */
  embedded?: {
    account?: 'bot' | 'person';
    instructions?: string;
    suggestionsBlock?: boolean;
    behaviour?: AgentBehaviour;
    lookupRequiresLogin?: boolean;
    /** Settings the app is seeded with to match (the run marker on, the lookup on). */
    appSettings?: { runMarker?: boolean; aiopsLookup?: boolean };
  };
  /**
   * Product events reach the app up to this many seconds after the action, as the platform's may
   * (up to 3 minutes, docs "trigger"); 0 (default) delivers them at once.
   */
  eventDelaySeconds?: number;
  /** Jira's rate limits for the app's own calls (sandbox/jira-limits.ts): the hourly points quota and its pool. */
  jiraLimits?: JiraLimitOptions;
  /** Seed the embedded connection and enable DEMO (npm start); tests may start bare. */
  seed?: boolean;
  log?: (line: string) => void;
  loadApp?: (file: string) => Record<string, unknown>;
  manifestPath?: string;
  /** Serve the browser host (builds the UI bundles at start). */
  browser?: boolean;
  /** The app's licence on this site, as a production site would report it (default: none, as in development). */
  licence?: LicenceState;
  /**
   * Run the clock the app and the stand-ins read `timeScale` times faster too (`npm start
   * --time-scale`), so the app's own deadlines pass as fast as the platform's waits.
   */
  virtualClock?: boolean;
}

interface SavedState {
  kvs: KvsSnapshot;
  jira: JiraState;
  egressGroups?: EgressGroup[];
}

export class Sandbox {
  readonly manifest: AppManifest;
  readonly runtime: ForgeRuntime;
  readonly jira: JiraStandIn;
  /** Jira's points quota, burst and per-issue write limits on the app's requests, and what they counted. */
  readonly jiraLimits: JiraRateLimits;
  readonly kvs: KvsStore;
  aiops?: AiOpsServer;
  url = '';
  private server?: Server;
  private saveTimer?: NodeJS.Timeout;
  private assets?: Map<string, BuiltAsset>;
  private readonly streams = new Set<ExpressResponse>();
  /** Sees every resolver answer that leaves the backend (tests scan them for secrets). */
  onResolverResponse?: (json: string) => void;

  constructor(private readonly options: SandboxOptions = {}) {
    this.manifest = readManifest(options.manifestPath ?? join(PROJECT_ROOT, 'manifest.yml'));
    this.kvs = new KvsStore();
    this.jira = new JiraStandIn(
      (eventType, payload) => this.runtime.emitProductEvent(eventType, payload),
      () => this.url,
    );
    this.jiraLimits = new JiraRateLimits(options.jiraLimits, (idOrKey) => this.jira.issue(idOrKey)?.id);
    this.runtime = new ForgeRuntime({
      manifest: this.manifest,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loadApp: options.loadApp ?? ((file) => require(`../src/${file}`)),
      jira: (request) => this.jiraLimits.admit(request, () => this.jira.handle(request)),
      baseUrl: () => this.url,
      appAccountId: APP_ACCOUNT_ID,
      timeScale: options.timeScale ?? 1,
      kvs: this.kvs,
      log: options.log,
      // The sandbox Jira keeps issue properties only; other entities' paths resolve to null.
      entityProperty: (entity, id, key, asOfMs) => (entity === 'issue' ? this.jira.propertyAsOf(id, key, asOfMs) : undefined),
    });
    this.runtime.licence = options.licence ?? 'none';
    this.runtime.productEventDelaySeconds = options.eventDelaySeconds ?? 0;
    this.runtime.onEgressChange = () => this.scheduleSave();
    this.runtime.install();
    // The app accepts http on loopback only here (see src/handlers/validation-context.ts).
    process.env.TICKET_ENHANCER_SANDBOX = 'true';
  }

  /** The Jira account the embedded AI Ops comments as. */
  get aiopsAccount() {
    return this.options.embedded?.account === 'person' ? PERSON_ACCOUNT : AIOPS_ACCOUNT;
  }

  get log(): (line: string) => void {
    return this.options.log ?? (() => undefined);
  }

  async start(): Promise<string> {
    this.loadState();
    if (!this.options.aiops) {
      this.aiops = new AiOpsServer({
        agents: [
          {
            id: EMBEDDED_AGENT_ID,
            secret: EMBEDDED_AGENT_SECRET,
            results: this.options.results ?? 'comment',
            ...(this.options.embedded?.instructions ? { instructions: this.options.embedded.instructions } : {}),
            ...(this.options.embedded?.behaviour ? { behaviour: this.options.embedded.behaviour } : {}),
            ...(this.options.embedded?.suggestionsBlock === false ? { suggestionsBlock: false } : {}),
          },
          ...(this.options.agents ?? []),
        ],
        timeScale: this.options.timeScale ?? 1,
        jira: { baseUrl: () => this.url, account: this.aiopsAccount.name },
        lookupRequiresLogin: this.options.embedded?.lookupRequiresLogin,
        log: this.options.log,
      });
      await this.aiops.start(0, '127.0.0.1');
    }
    if (this.options.browser) this.assets = await buildBrowserAssets(PROJECT_ROOT, this.manifest);
    this.locales = await buildLocaleBundle(this.manifest, PROJECT_ROOT);
    this.runtime.appCodeDir = this.locales?.root;
    const app = this.httpApp();
    await new Promise<void>((resolve) => {
      this.server = app.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const address = this.server!.address() as AddressInfo;
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${address.port}`;
    this.runtime.siteUrl = this.url;
    if (this.options.seed !== false) await this.seed();
    if (this.options.virtualClock) this.runtime.runVirtualClock();
    if (this.options.schedules) this.runtime.startSchedules();
    this.kvs.onChange = () => this.scheduleSave();
    this.jira.onChange = () => this.scheduleSave();
    return this.url;
  }

  async stop(): Promise<void> {
    this.runtime.stop();
    if (this.options.virtualClock) stopVirtualClock();
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveNow();
    }
    for (const stream of this.streams) stream.end();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    await this.aiops?.stop();
    this.locales?.dispose();
    this.locales = undefined;
  }

  /** The AI Ops connection in use: the embedded server's, or the one given on the command line. */
  connection(): ExternalAiOps {
    return this.options.aiops ?? { url: this.aiops!.url, agentId: EMBEDDED_AGENT_ID, tenantId: EMBEDDED_TENANT_ID, secret: EMBEDDED_AGENT_SECRET };
  }

  /** Writes the connection and DEMO's settings the way the settings pages would, and approves egress. */
  async seed(): Promise<void> {
    const connection = this.connection();
    const existing = this.kvs.peek('settings:global') as Record<string, unknown> | undefined;
    const commandLine = Boolean(this.options.aiops);
    if (!existing || commandLine || !this.options.statePath) {
      const key = secretToKey(connection.secret, 'base64');
      await this.kvs.handle('/api/v1/set', {
        key: 'settings:global',
        value: {
          ...(existing ?? {}),
          aiopsBaseUrl: connection.url.replace(/\/+$/, ''),
          agentId: connection.agentId,
          tenantId: connection.tenantId,
          ...CONNECTION_DEFAULTS,
          resultMode: this.options.results ?? (existing?.resultMode as string | undefined) ?? CONNECTION_DEFAULTS.resultMode,
          resultAccount: { accountId: this.aiopsAccount.accountId, displayName: this.aiopsAccount.displayName },
          ...(this.options.embedded?.appSettings ?? {}),
          version: ((existing?.version as number | undefined) ?? 0) + 1,
          secret: { fingerprint: keyFingerprint(key), setAt: new Date().toISOString() },
        },
      });
      await this.kvs.handle('/api/v1/secret/set', { key: 'secret:global:current', value: connection.secret });
    } else if (Object.keys(this.options.embedded?.appSettings ?? {}).length > 0) {
      // A saved site keeps its settings; the options given now (the run marker, the lookup) still apply.
      await this.kvs.handle('/api/v1/set', {
        key: 'settings:global',
        value: { ...existing, ...this.options.embedded!.appSettings, version: ((existing.version as number | undefined) ?? 0) + 1 },
      });
    }
    const demo = PROJECTS.find((p) => p.key === 'DEMO')!;
    if (!this.kvs.peek(`settings:project:${demo.id}`)) {
      await this.kvs.handle('/api/v1/set', {
        key: `settings:project:${demo.id}`,
        value: { enabled: true, events: { created: true, updated: false }, issueTypeIds: [], priorityIds: [], labelsInclude: [], labelsExclude: [] },
      });
    }
    // Written behind the app's back: drop its site snapshot, which it rebuilds on the next event.
    await this.kvs.handle('/api/v1/delete', { key: 'settings:site' });
    const origin = new URL(connection.url).origin;
    if (!this.runtime.isEgressAllowed(`${origin}/`)) this.runtime.approveEgress(origin);
  }

  private loadState(): void {
    const path = this.options.statePath;
    if (!path || this.options.fresh || !existsSync(path)) return;
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
    this.kvs.load(saved.kvs);
    this.jira.state = saved.jira;
    for (const group of saved.egressGroups ?? []) this.runtime.egressGroups.set(group.key, group);
  }

  private scheduleSave(): void {
    if (!this.options.statePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 200);
  }

  private saveNow(): void {
    const path = this.options.statePath;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    const state: SavedState = { kvs: this.kvs.snapshot(), jira: this.jira.state, egressGroups: [...this.runtime.egressGroups.values()] };
    // Write then rename, so a crash never leaves half a state file.
    writeFileSync(`${path}.tmp`, JSON.stringify(state));
    renameSync(`${path}.tmp`, path);
  }

  /** Runs a UI module's resolver as a sandbox user with the context Forge would give it. */
  /** The app's translations as deployed (the screens fetch them; functions read them). */
  locales?: LocaleBundle;

  async invokeResolver(input: { moduleKey: string; functionKey: string; payload?: unknown; accountId: string; issueKey?: string; projectKey?: string; locale?: string }): Promise<{ body: unknown } | { error: { status: number; message: string } }> {
    const module = resolverModules(this.manifest).find((m) => m.key === input.moduleKey);
    if (!module) return { error: { status: 404, message: `no UI module with key "${input.moduleKey}" and a resolver` } };
    const user = this.jira.user(input.accountId);
    if (!user) return { error: { status: 401, message: `unknown user "${input.accountId}" (use ${SANDBOX_USERS.map((u) => u.name).join(', ')})` } };
    const extension: Record<string, unknown> = { type: module.type };
    if (input.issueKey) {
      const issue = this.jira.issue(input.issueKey);
      if (!issue) return { error: { status: 404, message: `no issue ${input.issueKey}` } };
      const project = this.jira.project(issue.projectKey)!;
      extension.issue = { id: issue.id, key: issue.key, type: (issue.fields.issuetype as { name: string }).name, typeId: (issue.fields.issuetype as { id: string }).id };
      extension.project = { id: project.id, key: project.key, type: project.projectTypeKey };
    } else if (input.projectKey) {
      const project = this.jira.project(input.projectKey);
      if (!project) return { error: { status: 404, message: `no project ${input.projectKey}` } };
      extension.project = { id: project.id, key: project.key, type: project.projectTypeKey };
    }
    try {
      // `locale`, when given, goes where a screen puts it: into the payload (src/ui/call.ts).
      const payload = input.locale ? { ...((input.payload as Record<string, unknown> | undefined) ?? {}), locale: input.locale } : (input.payload ?? {});
      const body = await this.runtime.invokeResolver(module.key, module.functionKey, { functionKey: input.functionKey, payload }, user.accountId, extension);
      this.onResolverResponse?.(JSON.stringify(body));
      return { body };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.onResolverResponse?.(message);
      const status = Number((error as { status?: number }).status) || (/not (allowed|permitted)|forbidden|permission/i.test(message) ? 403 : 500);
      return { error: { status, message } };
    }
  }

  /**
   * The sandbox acts with real users' permissions and can send signed deliveries to a real AI Ops,
   * so a web page open in the same browser must not drive it: only this server's own host names
   * are answered (no DNS rebinding), a cross-origin request is refused, and a request that changes
   * something must be JSON (a form or `text/plain` post from another page cannot be) and, for
   * Jira's API, name its user (`X-Sandbox-Account`: a header no other page can add without a CORS
   * preflight, which this server never grants). Web triggers stay public, as Forge's are.
   */
  private guard(req: Request, res: ExpressResponse, next: () => void): void {
    const port = new URL(this.url).port;
    const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${this.options.host ?? '127.0.0.1'}:${port}`]);
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) {
      res.status(421).json({ message: `This sandbox answers only to ${[...hosts][0]}, not to host "${String(req.headers.host ?? '')}".` });
      return;
    }
    if (req.path.startsWith('/x1/')) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && ![...hosts].some((host) => origin === `http://${host}`)) {
      res.status(403).json({ message: `Requests from ${origin} are refused: the sandbox takes requests from its own pages and from local tools only.` });
      return;
    }
    const changes = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (changes && hasBody && !String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      res.status(415).json({ message: 'Send a JSON body (Content-Type: application/json).' });
      return;
    }
    if ((req.path.startsWith('/rest/api/3') || req.path.startsWith('/rest/servicedeskapi')) && !req.header('x-sandbox-account')) {
      res.status(401).json({ errorMessages: [`Name the user with the X-Sandbox-Account header (${SANDBOX_USERS.map((u) => u.name).join(', ')}).`] });
      return;
    }
    next();
  }

  private httpApp() {
    const app = express();
    app.disable('x-powered-by');
    app.use((req, res, next) => this.guard(req, res, next));

    // A screen fetches its translations next to itself: ./__LOCALES__/<file> (@forge/bridge i18n).
    app.get(/\/__LOCALES__\/([^/]+)$/, (req: Request, res: ExpressResponse) => {
      const text = this.locales?.file(String((req.params as Record<string, string>)[0]));
      if (text === undefined) res.status(404).send('no such translation file');
      else res.type('application/json').send(text);
    });

    // Web trigger requests up to the platform's 5 MB invocation payload (docs "limits-invocation").
    app.all(/^\/x1\/[^/]+\/([^/]+)$/, express.text({ type: () => true, limit: '5mb' }), async (req: Request, res: ExpressResponse) => {
      const moduleKey = String((req.params as Record<string, string>)[0]);
      const url = new URL(req.originalUrl, this.url);
      const queryParameters: Record<string, string[]> = {};
      for (const [key, value] of url.searchParams) (queryParameters[key] ??= []).push(value);
      const headers: Record<string, string[]> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value : [String(value)];
      const response = await this.runtime.handleWebTrigger(moduleKey, {
        method: req.method,
        headers,
        body: typeof req.body === 'string' ? req.body : '',
        queryParameters,
        path: url.pathname,
      });
      for (const [key, values] of Object.entries(response.headers ?? {})) res.setHeader(key, values);
      res.status(response.statusCode).send(response.body ?? '');
    });

    // Jira's REST API as a user (X-Sandbox-Account names who): the platform API, and Service Management's.
    const asUser = (prefix: string) => async (req: Request, res: ExpressResponse) => {
      const name = req.header('x-sandbox-account')!;
      const user = this.jira.user(name);
      if (!user) {
        res.status(401).json({ errorMessages: [`Unknown X-Sandbox-Account "${name}"; use one of ${SANDBOX_USERS.map((u) => u.name).join(', ')}`] });
        return;
      }
      const body = typeof req.body === 'string' && req.body.length > 0 ? req.body : undefined;
      if (body !== undefined && (req.header('content-type') ?? '').includes('json')) {
        try {
          JSON.parse(body);
        } catch {
          res.status(400).json({ errorMessages: ['The request body is not valid JSON.'] });
          return;
        }
      }
      const request = { method: req.method, path: `${prefix}${req.url}`, headers: {}, body, as: { kind: 'user' as const, accountId: user.accountId } };
      // People and API tokens share the site's burst buckets and each issue's write limit with the app (never its points).
      this.jiraLimits.observe(request);
      const response = await this.jira.handle(request);
      res.status(response.status);
      response.headers.forEach((value, key) => res.setHeader(key, value));
      res.send(Buffer.from(await response.arrayBuffer()));
    };
    app.use('/rest/api/3', express.text({ type: () => true, limit: '5mb' }), asUser('/rest/api/3'));
    app.use('/rest/servicedeskapi', express.text({ type: () => true, limit: '5mb' }), asUser('/rest/servicedeskapi'));

    app.post('/__sandbox/invoke', express.json({ limit: '2mb' }), async (req: Request, res: ExpressResponse) => {
      const input = (req.body ?? {}) as Record<string, unknown>;
      for (const field of ['moduleKey', 'functionKey', 'accountId']) {
        if (typeof input[field] !== 'string') {
          res.status(400).json({ error: { status: 400, message: `${field} is required` } });
          return;
        }
      }
      const result = await this.invokeResolver(input as unknown as Parameters<Sandbox['invokeResolver']>[0]);
      res.status('error' in result ? result.error.status : 200).json(result);
    });

    app.get('/__sandbox/resolvers', (_req, res) => {
      res.json(Object.fromEntries(resolverModules(this.manifest).map((m) => [m.key, { type: m.type, function: m.functionKey, resource: m.resource }])));
    });

    // The site's licence for the app: none (development), active, evaluation or inactive.
    app.get('/__sandbox/licence', (_req, res) => {
      res.json({ state: this.runtime.licence, license: licenceDetails(this.runtime.licence) ?? null });
    });
    app.post('/__sandbox/licence', express.json(), (req, res) => {
      const state = String((req.body as { state?: unknown })?.state ?? '');
      if (!['none', 'active', 'evaluation', 'inactive'].includes(state)) {
        res.status(400).json({ error: `state must be none, active, evaluation or inactive, not "${state}"` });
        return;
      }
      this.runtime.licence = state as LicenceState;
      res.json({ state, license: licenceDetails(this.runtime.licence) ?? null });
    });

    // The issue view's app modules for one issue, as Jira's frontend decides them: the issue context
    // is shown where its display conditions hold (docs "display-conditions/entity-property-conditions"),
    // with the status its dynamic properties function returns; an issue panel only once it was added.
    app.get('/__sandbox/issue-modules', async (req, res) => {
      const issue = this.jira.issue(String(req.query.issueKey ?? ''));
      const user = this.jira.user(req.header('x-sandbox-account') ?? '');
      if (!issue || !user || !user.projectPermissions[issue.projectKey]?.includes('BROWSE_PROJECTS')) {
        res.status(404).json({ message: 'no such issue for this user' });
        return;
      }
      const project = this.jira.project(issue.projectKey)!;
      const extension = { issue: { id: issue.id, key: issue.key, type: (issue.fields.issuetype as { name: string }).name, typeId: (issue.fields.issuetype as { id: string }).id }, project: { id: project.id, key: project.key, type: project.projectTypeKey } };
      const contexts = (this.manifest.modules['jira:issueContext'] as Array<{ key: string; resource: string; label?: unknown; title?: unknown; displayConditions?: Record<string, unknown> }> | undefined) ?? [];
      const panels = (this.manifest.modules['jira:issuePanel'] as Array<{ key: string; resource: string; title?: unknown }> | undefined) ?? [];
      const locale = String(req.query.locale ?? 'en-US');
      res.json({
        contexts: await Promise.all(
          contexts.map(async (module) => {
            const visible = displayConditionsHold(module.displayConditions, issue);
            const props = visible ? await this.runtime.invokeDynamicProperties(module.key, { type: 'jira:issueContext', ...extension }) : {};
            return { key: module.key, resource: module.resource, label: this.manifestText(module.label, locale), title: this.manifestText(module.title, locale), visible, status: props.status ?? null };
          }),
        ),
        panels: panels.map((module) => ({ key: module.key, resource: module.resource, title: this.manifestText(module.title, locale), added: (issue.addedPanels ?? []).includes(module.key) })),
      });
    });
    app.post('/__sandbox/issue-panels', express.json(), (req, res) => {
      const { issueKey, moduleKey } = (req.body ?? {}) as { issueKey?: string; moduleKey?: string };
      const issue = this.jira.issue(String(issueKey ?? ''));
      const user = this.jira.user(req.header('x-sandbox-account') ?? '');
      if (!issue || !user || !user.projectPermissions[issue.projectKey]?.includes('BROWSE_PROJECTS') || !((this.manifest.modules['jira:issuePanel'] as Array<{ key: string }> | undefined) ?? []).some((m) => m.key === moduleKey)) {
        res.status(404).json({ message: 'no such issue or panel' });
        return;
      }
      issue.addedPanels = [...new Set([...(issue.addedPanels ?? []), moduleKey!])];
      this.scheduleSave();
      res.status(201).json({ added: issue.addedPanels });
    });

    // Runs the app's Automation action as a rule would, as the signed-in user (the rule's actor).
    app.post('/__sandbox/automation', express.json(), async (req, res) => {
      const user = this.jira.user(req.header('x-sandbox-account') ?? '');
      if (!user) {
        res.status(401).json({ message: 'name the rule actor with X-Sandbox-Account' });
        return;
      }
      try {
        res.json(await this.runtime.runAutomationAction('send-to-ticket-enhancer', ((req.body ?? {}) as { inputs?: Record<string, unknown> }).inputs ?? {}, user.accountId));
      } catch (error) {
        res.status(400).json({ message: error instanceof Error ? error.message : String(error) });
      }
    });

    app.get('/__sandbox/users', (_req, res) => {
      res.json(SANDBOX_USERS.map((u) => ({ name: u.name, accountId: u.accountId, displayName: u.displayName })));
    });

    app.get('/__sandbox/deliveries', (_req, res) => {
      res.json(this.runs());
    });

    app.post('/__sandbox/duplicate-events', express.json(), (req, res) => {
      this.jira.duplicateEvents = Boolean((req.body as { enabled?: boolean })?.enabled);
      res.json({ duplicateEvents: this.jira.duplicateEvents });
    });

    app.get('/__sandbox/realtime', (req, res) => {
      const channel = String(req.query.channel ?? '');
      const token = typeof req.query.token === 'string' && req.query.token ? req.query.token : undefined;
      const stop = this.runtime.subscribeRealtime(channel, token, (payload) => res.write(`data: ${payload.replace(/\n/g, ' ')}\n\n`));
      if (typeof stop !== 'function') {
        res.status(stop.error.startsWith('RATE_LIMIT_EXCEEDED') ? 429 : 403).json({ message: stop.error });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      this.streams.add(res);
      req.on('close', () => {
        stop();
        this.streams.delete(res);
      });
    });

    // Customer-managed egress (docs "customer-managed-egress-and-remotes-api"): Jira shows the
    // consent dialog; only a site admin may approve or remove; anyone may read the state.
    const isAdmin = (req: Request) => Boolean(this.jira.user(req.header('x-sandbox-account') ?? '')?.globalPermissions.includes('ADMINISTER'));
    app.post('/__sandbox/egress', express.json(), (req, res) => {
      const result = this.runtime.setEgress(req.body as { egresses?: EgressGroup[] }, isAdmin(req));
      res.status(result.status).json(result.status < 300 ? { results: result.results } : { message: result.message });
    });
    app.get('/__sandbox/egress', (req, res) => {
      const keys = typeof req.query.keys === 'string' && req.query.keys ? req.query.keys.split(',') : undefined;
      res.json(this.runtime.getEgress(keys));
    });
    app.delete('/__sandbox/egress/:key', (req, res) => {
      const result = this.runtime.deleteEgressGroup(String(req.params.key), isAdmin(req));
      res.status(result.status).json(result.message ? { message: result.message } : {});
    });

    // A module's frame: the host page again, which draws only that module (browser/host.tsx).
    app.get('/__host/frame', (_req, res) => {
      if (!this.assets) res.status(404).send('the browser host is off (start the sandbox with npm start)');
      else res.type('html').send(HOST_PAGE);
    });
    app.get(/^\/__host\/.+/, (req, res) => {
      const asset = this.assets?.get(req.path);
      if (!asset) {
        res.status(404).send(this.assets ? 'no such asset' : 'the browser host is off (start the sandbox with npm start)');
        return;
      }
      res.type(asset.contentType).send(Buffer.from(asset.body));
    });

    const page = (_req: Request, res: ExpressResponse) => {
      if (!this.assets) {
        res.type('text/plain').send(this.banner());
        return;
      }
      res.type('html').send(HOST_PAGE);
    };
    app.get('/favicon.ico', (_req, res) => res.type('image/svg+xml').sendFile(join(PROJECT_ROOT, 'static', 'icon.svg')));
    app.get('/', (_req, res) => res.redirect(this.assets ? '/projects/DEMO' : '/__sandbox/about'));
    app.get('/__sandbox/about', (_req, res) => res.type('text/plain').send(this.banner()));
    // The documented URLs of the app pages (/jira/settings/apps/..., /jira/software/projects/KEY/settings/apps/...) lead to the same screens.
    app.get(/^\/(projects|browse|admin|jira|automation)(\/.*)?$/, page);
    return app;
  }

  /** A manifest text (a string, or `{ i18n: key }` from the translations, docs "manifest-reference/translations") in a locale. */
  manifestText(value: unknown, locale: string): string {
    if (typeof value === 'string') return value;
    const key = (value as { i18n?: string } | undefined)?.i18n;
    if (!key) return '';
    for (const name of [locale, 'en-US']) {
      const text = this.locales?.file(`${name}.json`);
      if (!text) continue;
      let node: unknown = JSON.parse(text);
      for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
      if (typeof node === 'string') return node;
    }
    return key;
  }

  /** Every stored run, oldest first (the sandbox's own view; not metered). */
  runs(): Array<Record<string, unknown>> {
    return this.kvs
      .entityEntries('delivery-run')
      .map((entry) => (entry.value as { record: Record<string, unknown> }).record)
      .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  }

  banner(): string {
    const c = this.connection();
    const results = this.options.results ?? 'comment';
    return [
      'AI Ops Ticket Enhancer for Jira: sandbox',
      ...(this.assets ? [`  Open in a browser  ${this.url}/   (switch users top right)`] : []),
      `  Jira REST API   ${this.url}/rest/api/3   (header X-Sandbox-Account: admin | lead | agent | viewer | aiops)`,
      `  AI Ops API      ${c.url}${this.aiops ? ' (embedded reference server)' : ''}`,
      `    agent id      ${c.agentId}`,
      ...(this.aiops ? [`    agent secret  ${c.secret}   (sandbox only; already set on the admin page: shown for calling the embedded AI Ops yourself)`, `    tenant id     ${c.tenantId}`] : []),
      `    results       ${results === 'comment' ? `as a Jira comment by ${this.aiopsAccount.displayName} (account ${this.aiopsAccount.name})` : results}`,
      `  Callback        ${this.runtime.webTriggerUrl('aiops-callback')}`,
      `  Resolvers       POST ${this.url}/__sandbox/invoke   GET ${this.url}/__sandbox/resolvers`,
      `  Deliveries      GET ${this.url}/__sandbox/deliveries`,
      '',
      'Create an issue:',
      `  curl -s -X POST ${this.url}/rest/api/3/issue -H 'Content-Type: application/json' -H 'X-Sandbox-Account: agent' \\`,
      `    -d '{"fields":{"project":{"key":"DEMO"},"summary":"Checkout page crashes on submit","issuetype":{"name":"Bug"},"description":"Steps: open the cart, press Pay."}}'`,
    ].join('\n');
  }
}

/**
 * The display conditions the app uses, evaluated on an issue as Jira's frontend does (docs
 * "display-conditions/entity-property-conditions"): `entityPropertyExists` and
 * `entityPropertyEqualTo` on the issue's properties, with `and`, `or` and `not`.
 */
export function displayConditionsHold(conditions: Record<string, unknown> | undefined, issue: { properties: Record<string, unknown> }): boolean {
  if (!conditions) return true;
  return Object.entries(conditions).every(([name, value]) => {
    const v = value as Record<string, unknown>;
    switch (name) {
      case 'and':
        return displayConditionsHold(v, issue);
      case 'or':
        return Object.entries(v).some(([inner, innerValue]) => displayConditionsHold({ [inner]: innerValue }, issue));
      case 'not':
        return !displayConditionsHold(v, issue);
      case 'entityPropertyExists':
      case 'entityPropertyEqualTo': {
        if (v.entity !== 'issue') return false;
        let found: unknown = issue.properties[String(v.propertyKey)];
        for (const part of typeof v.objectName === 'string' ? v.objectName.split('.') : []) found = (found as Record<string, unknown> | undefined)?.[part];
        if (found === undefined) return false;
        return name === 'entityPropertyExists' || String(found) === String(v.value);
      }
      default:
        throw new Error(`the sandbox does not evaluate the display condition "${name}"`);
    }
  });
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64');
}
