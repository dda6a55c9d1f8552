/**
 * Reference AI Ops API for the sandbox and the tests. It behaves as AIOPS-CONTRACT.md describes the
 * real FastAPI service: HMAC-SHA256 over the raw body with the base64-decoded agent secret, the
 * same checks in the same order with the same status codes and `detail` texts, a Celery-like task
 * id in the 202, and, like the deployed platform, a Ticket Enhancer whose Markdown analysis comes
 * back as a Jira comment posted by the platform's own Jira account ("How results come back
 * today"). Deployments that add a callback or a status URL are modelled too (`results`).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import Ajv from 'ajv';
import { decodeBase64LikePython, hubSignature, signRequest, verifyHubSignature } from '../src/core/signing';
import { analyseIssue, analysisAsMarkdown, suggestionsFor } from './ticket-enhancer-analysis';
import { closingLineAskedFor, ExecutionRecords, formatInstructions, historyRoute, recordRoute, type TraceStep } from './aiops-records';

export interface AiOpsAgent {
  id: string;
  /** base64 text of the key bytes, as the platform generates it */
  secret: string;
  status?: 'ACTIVE' | 'INACTIVE' | 'PAUSED';
  /** When true the agent's JSON Schema forbids properties outside the Automation payload. */
  strictSchema?: boolean;
  /** A JSON Schema (Draft 7) the agent validates payloads with, as the platform's agents may. */
  payloadSchema?: Record<string, unknown>;
  /** When false the webhook trigger is not configured: 500. */
  triggerConfigured?: boolean;
  /**
   * How results come back: 'comment' (the platform today: the agent comments on the issue and never
   * calls back), 'callback' posts to callback_url, 'poll' only serves the status endpoint.
   */
  results?: 'comment' | 'callback' | 'poll' | 'both';
  /**
   * How long this agent takes, in sandbox milliseconds: a third of it before it starts ("running"),
   * all of it again before its result (default: the server's `workMs`; else 6 s for comment results,
   * 1.5 s otherwise).
   */
  workMs?: number;
  /** Callback mode: also post a "running" message before the result. */
  sendRunning?: boolean;
  /** Result shape: named sections (object) or one markdown text. */
  resultFormat?: 'sections' | 'markdown';
  /**
   * The agent's instructions, filled from the payload as the worker does (`str.format(**payload)`):
   * a line "End your comment with the line `…`" in them is how a run marker reaches the comment.
   */
  instructions?: string;
  /** How the deployed platform misbehaves in practice (AIOPS-CONTRACT "What the platform does in practice"). */
  behaviour?: AgentBehaviour;
  /** The analysis ends with a `ticket-enhancer` suggestions block (default true; false shows the fallback). */
  suggestionsBlock?: boolean;
}

export interface AgentBehaviour {
  /** The first attempt posts its comment, then fails; the worker runs the whole agent again, which comments again. */
  duplicateComment?: boolean;
  /**
   * No comment at all: 'budget' (the attempt fails: budget exhausted), 'no-tools' (fails: no tools
   * loaded from the MCP server), 'claimed' (completes, the model saying it commented when it did not).
   */
  silentFailure?: 'budget' | 'no-tools' | 'claimed';
  /** On a service request: 'public' (the Jira tool's default) or 'internal' (an internal note through servicedeskapi). */
  commentVisibility?: 'public' | 'internal';
  /** Characters of extra analysis the model writes (a long one passes Jira's 32,767-character limit). */
  extraAnalysisChars?: number;
}

/** The worker's pause before it runs a failed task again (Celery countdown), in platform milliseconds. */
const RETRY_COUNTDOWN_MS = 240_000;
/** The worker runs a task at most this many times (one attempt and three retries). */
const MAX_TASK_ATTEMPTS = 4;

export interface ReceivedRequest {
  at: number;
  agentId: string;
  headers: Record<string, string>;
  rawBody: string;
  status: number;
  answer: unknown;
}

export interface ScriptedFault {
  status?: number;
  body?: unknown;
  retryAfter?: string;
  delayMs?: number;
  /** drop the connection without answering */
  hangUp?: boolean;
  /** Answer `status` with a body that never ends (a misbehaving proxy): chunks until the client goes. */
  endlessBody?: boolean;
}

interface Execution {
  id: string;
  agentId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  payload: Record<string, unknown>;
  result?: unknown;
  error?: string;
  callbacks: Array<{ status: number; body: string }>;
}

/**
 * The platform's agent comments "typically within a minute or two of the 202" (source:
 * AIOPS-CONTRACT.md, "How results come back today").
 * The sandbox's comments 8 s after it (2 s to start, 6 s to work), so a demo does not wait long,
 * yet later than the few seconds an event filter's entity property values may lag behind (the
 * comment trigger's filter reads the issue property the app wrote before sending).
 */
const COMMENT_WORK_MS = 6_000;

export interface AiOpsServerOptions {
  agents: AiOpsAgent[];
  /** Platform waits are divided by this (queue pick-up, analysis time). */
  timeScale?: number;
  /** Milliseconds the worker "thinks" before running, and before completing, at time scale 1. */
  workMs?: number;
  /** Header and value the status endpoint requires, when set. */
  statusAuth?: { header: string; value: string };
  /** The Jira the agent's Jira tool talks to (REST v3), and the account it signs in as. */
  jira?: { baseUrl: () => string; account: string };
  /**
   * Requests a second per client IP the ingress lets through (AIOPS-CONTRACT: 100). Its controller
   * is ingress-nginx (`limit-rps`): a burst of 5 times the rate passes at once, and beyond it the
   * request is answered 503 (`limit-req-status-code` defaults to 503) without a Retry-After.
   */
  ingressRps?: number;
  /** The lookup routes moved behind a login: 401 to every lookup request. */
  lookupRequiresLogin?: boolean;
  log?: (line: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTOMATION_FIELDS = new Set(['issue_key', 'event_type', 'timestamp', 'issue', 'tenant_id', 'request_type']);

export class AiOpsServer {
  readonly received: ReceivedRequest[] = [];
  readonly executions = new Map<string, Execution>();
  /** One record per finished attempt, as the platform keeps them (the lookup routes read them). */
  readonly records = new ExecutionRecords();
  private readonly faults: ScriptedFault[] = [];
  private readonly agents = new Map<string, AiOpsAgent>();
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private working = 0;
  /** An outage: 'unavailable' answers 503 everywhere, 'refuse' drops every connection, 'hang' never answers. */
  outage?: 'unavailable' | 'refuse' | 'hang';
  /** Random transient faults on webhook requests (chaos runs): a share of them answer 503, 429 or hang up. */
  transientFaultRate = 0;
  /** Webhook requests being handled right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Comments the agent posted, or tried to: { issueKey, status }. */
  readonly comments: Array<{ issueKey: string; status: number; at: number }> = [];
  private readonly ajv = new Ajv({ allErrors: false, strict: false });
  /** Requests the ingress turned away with 503 for going over its rate. */
  ingressRefusals = 0;
  private readonly buckets = new Map<string, { level: number; at: number }>();
  url = '';

  /** ingress-nginx's `limit_req ... burst=5r nodelay`: a leaky bucket per client address. */
  private overIngressRate(client: string): boolean {
    // Measured on the sandbox's clock, which runs `timeScale` times faster than the wall clock.
    const rps = (this.options.ingressRps ?? 100) * (this.options.timeScale ?? 1);
    const now = Date.now();
    const bucket = this.buckets.get(client) ?? { level: 0, at: now };
    bucket.level = Math.max(0, bucket.level - ((now - bucket.at) / 1000) * rps);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (bucket.level + 1 > rps * 5 + 1) return true;
    bucket.level += 1;
    return false;
  }

  /** The lookup routes moved behind a login: 401 to every lookup request. */
  lookupRequiresLogin: boolean;
  /** Feedback received on `POST /api/v1/feedback/`, as the platform stores it. */
  readonly feedback: Array<Record<string, unknown>> = [];
  /** Requests to the lookup routes, in order. */
  readonly lookupRequests: Array<{ at: number; path: string; tenant?: string }> = [];

  constructor(private readonly options: AiOpsServerOptions) {
    this.lookupRequiresLogin = options.lookupRequiresLogin === true;
    for (const agent of options.agents) this.agents.set(agent.id.toLowerCase(), agent);
  }

  agent(id: string): AiOpsAgent | undefined {
    return this.agents.get(id.toLowerCase());
  }

  setAgent(agent: AiOpsAgent): void {
    this.agents.set(agent.id.toLowerCase(), agent);
  }

  /** Queue answers for the next webhook requests, in order, before the real handling. */
  scriptFaults(...faults: ScriptedFault[]): void {
    this.faults.push(...faults);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    app.use((req, res, next) => {
      if (req.path.startsWith('/__control') || !this.outage) return next();
      if (this.outage === 'refuse') {
        req.socket.destroy();
        return undefined;
      }
      if (this.outage === 'hang') return undefined;
      res.status(503).json({ detail: 'Service unavailable' });
      return undefined;
    });
    app.use((req, res, next) => {
      if (req.path.startsWith('/__control') || !this.overIngressRate(req.socket.remoteAddress ?? '')) return next();
      this.ingressRefusals += 1;
      res.status(503).type('text/html').send('<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>\n');
      return undefined;
    });
    app.get('/api/v1/health', (_req, res) => {
      res.json({ status: 'healthy', database: 'ok', redis: 'ok' });
    });
    app.post('/webhook/agents/:agentId/webhook', express.raw({ type: () => true, limit: '5mb' }), (req, res) => {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on('close', () => (this.inFlight -= 1));
      void this.handleWebhook(req, res);
    });
    // The platform's unofficial lookup routes, over its execution records.
    const lookup = { requireLogin: () => this.lookupRequiresLogin };
    app.use(['/api/agents', '/api/executions'], (req, _res, next) => {
      this.lookupRequests.push({ at: Date.now(), path: req.originalUrl, tenant: req.header('x-tenant-id') });
      next();
    });
    app.get('/api/agents/:agentId/history', historyRoute(this.records, lookup));
    app.get('/api/executions/:id', recordRoute(this.records, lookup));
    // Feedback (AIOPS-CONTRACT "Feedback"): FastAPI redirects the path without its trailing slash.
    // (Express matches both spellings of a route unless told otherwise, so the slash is checked here.)
    app.post('/api/v1/feedback', (req, res, next) => {
      if (req.path.endsWith('/')) return next();
      res.redirect(307, '/api/v1/feedback/');
    });
    app.post('/api/v1/feedback/', express.json(), (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const missing = ['tenant_id', 'ticket_id', 'feedback_type'].filter((key) => typeof body[key] !== 'string' || !body[key]);
      if (missing.length > 0 || !['thumbs_up', 'thumbs_down', 'rating'].includes(String(body.feedback_type))) {
        res.status(422).json({ detail: [{ type: 'value_error', loc: ['body', missing[0] ?? 'feedback_type'], msg: 'Field required or not allowed' }] });
        return;
      }
      const stored = { id: randomUUID(), ...body, created_at: new Date().toISOString() };
      this.feedback.push(stored);
      res.status(201).json(stored);
    });
    // A status URL, for deployments that add one (not the platform's own: its /api/executions takes record ids).
    app.get('/api/v1/executions/:id/status', (req, res) => this.handleStatus(req, res));
    app.get('/__control/requests', (_req, res) => {
      res.json(this.received);
    });
    app.post('/__control/faults', express.json(), (req, res) => {
      this.scriptFaults(...(Array.isArray(req.body) ? req.body : [req.body]));
      res.json({ queued: this.faults.length });
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(port, host, () => resolve());
    });
    const address = this.server!.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private randomFault(): ScriptedFault | undefined {
    if (this.transientFaultRate <= 0 || Math.random() >= this.transientFaultRate) return undefined;
    const pick = Math.random();
    if (pick < 0.4) return { status: 503, body: { detail: 'Service unavailable' } };
    if (pick < 0.7) return { status: 429, body: { detail: 'Too Many Requests' }, retryAfter: '30' };
    return { hangUp: true };
  }

  private later(ms: number, run: () => void | Promise<void>): void {
    const go = async () => {
      this.working += 1;
      try {
        await run();
      } finally {
        this.working -= 1;
      }
    };
    // No work at all (an agent set to `workMs: 0`): now, not after whatever else this process has queued.
    if (ms <= 0) {
      void go();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void go();
    }, ms / (this.options.timeScale ?? 1));
    this.timers.add(timer);
  }

  /** True while an agent is still working on something it accepted (or posting its outcome). */
  get busy(): boolean {
    return this.timers.size > 0 || this.working > 0;
  }

  /** Resolves once no agent is working, or rejects after `timeoutMs`. */
  async idle(timeoutMs = 20_000): Promise<void> {
    const real = (globalThis as { __sandboxRealDateNow__?: () => number }).__sandboxRealDateNow__ ?? Date.now;
    const until = real() + timeoutMs;
    while (this.busy) {
      if (real() > until) throw new Error(`the AI Ops agents did not finish within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async handleWebhook(req: Request, res: Response): Promise<void> {
    const agentId = String(req.params.agentId);
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
    const answer = (status: number, body: unknown, extraHeaders: Record<string, string> = {}) => {
      this.received.push({ at: Date.now(), agentId, headers, rawBody: rawBody.toString('utf8'), status, answer: body });
      this.options.log?.(`AI Ops: POST /webhook/agents/${agentId}/webhook -> ${status}`);
      res.status(status).set(extraHeaders).json(body);
    };

    const fault = this.faults.shift() ?? this.randomFault();
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.hangUp) {
        this.received.push({ at: Date.now(), agentId, headers, rawBody: rawBody.toString('utf8'), status: 0, answer: 'hang-up' });
        req.socket.destroy();
        return;
      }
      if (fault.status && fault.endlessBody) {
        this.received.push({ at: Date.now(), agentId, headers, rawBody: rawBody.toString('utf8'), status: fault.status, answer: 'endless body' });
        res.status(fault.status).type('text/html');
        const chunk = `<p>${'x'.repeat(16 * 1024)}</p>\n`;
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.write('<!DOCTYPE html><html><body>');
        pump();
        return;
      }
      if (fault.status && typeof fault.body === 'string' && fault.body.trimStart().startsWith('<')) {
        // An HTML page, as a proxy, an ingress or a web UI answers.
        this.received.push({ at: Date.now(), agentId, headers, rawBody: rawBody.toString('utf8'), status: fault.status, answer: fault.body });
        res.status(fault.status).set(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}).type('text/html').send(fault.body);
        return;
      }
      if (fault.status) {
        answer(fault.status, fault.body ?? { detail: `scripted ${fault.status}` }, fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {});
        return;
      }
    }

    if (!UUID.test(agentId)) {
      answer(422, {
        detail: [{ type: 'uuid_parsing', loc: ['path', 'agent_id'], msg: 'Input should be a valid UUID', input: agentId }],
      });
      return;
    }
    const agent = this.agent(agentId);
    if (!agent) return answer(404, { detail: 'Agent not found' });
    const status = agent.status ?? 'ACTIVE';
    if (status !== 'ACTIVE') return answer(403, { detail: `Agent is ${status}, only ACTIVE agents can be triggered` });
    if (agent.triggerConfigured === false) return answer(500, { detail: 'Webhook trigger is not configured for this agent' });
    const signature = req.header('x-hub-signature-256');
    if (!signature) return answer(401, { detail: 'Missing X-Hub-Signature-256 header' });
    // A secret its decoder refuses (not ASCII, wrong padding) raises there: every request gets 401.
    let key: Buffer;
    try {
      key = decodeBase64LikePython(agent.secret);
    } catch {
      return answer(401, { detail: 'Invalid HMAC signature' });
    }
    if (!verifyHubSignature(rawBody, signature, [key])) {
      return answer(401, { detail: 'Invalid HMAC signature' });
    }
    let payload: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      payload = parsed as Record<string, unknown>;
    } catch {
      return answer(400, { detail: 'Invalid JSON payload' });
    }
    if (agent.strictSchema) {
      const extra = Object.keys(payload).filter((key) => !AUTOMATION_FIELDS.has(key));
      if (extra.length > 0) {
        return answer(400, { detail: `Payload validation failed: Additional properties are not allowed ('${extra.join("', '")}' ${extra.length === 1 ? 'was' : 'were'} unexpected)` });
      }
    }
    if (agent.payloadSchema) {
      const validate = this.ajv.compile(agent.payloadSchema);
      if (!validate(payload)) {
        const error = validate.errors?.[0];
        const message = `Validation failed at '${error?.instancePath || '/'}': ${error?.message ?? 'invalid'}${error?.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`;
        // The server's logger fails on a message containing braces, so it answers 500 instead (AIOPS-CONTRACT).
        if (/[{}]/.test(message)) return answer(500, { detail: 'Internal Server Error' });
        return answer(400, { detail: `Payload validation failed: ${message}` });
      }
    }
    // The execution id is the Celery task id (a UUID4).
    const execution: Execution = { id: randomUUID(), agentId: agent.id, status: 'queued', payload, callbacks: [] };
    this.executions.set(execution.id, execution);
    answer(202, { status: 'queued', execution_id: execution.id, message: 'Agent execution queued' });
    this.runExecution(execution, agent);
  }

  private runExecution(execution: Execution, agent: AiOpsAgent): void {
    const mode = agent.results ?? 'comment';
    const work = agent.workMs ?? this.options.workMs ?? (mode === 'comment' ? COMMENT_WORK_MS : 1500);
    this.later(work / 3, async () => {
      execution.status = 'running';
      if (agent.sendRunning) await this.sendCallback(execution, agent, { execution_id: execution.id, status: 'running' });
      this.later(work, async () => {
        const sections = analyseIssue(execution.payload);
        if (mode === 'comment') {
          await this.commentAttempt(execution, agent, 1);
          return;
        }
        const extras = await this.analysisExtras(execution.payload, agent);
        execution.result = agent.resultFormat === 'markdown' ? analysisAsMarkdown(sections, extras) : { ...sections, ...(extras.similar?.length ? { 'Similar Issues': extras.similar.map((s) => `- ${s.key}: ${s.summary}`).join('\n') } : {}) };
        execution.status = 'completed';
        await this.sendCallback(execution, agent, { execution_id: execution.id, status: 'completed', result: execution.result, ...(extras.suggestions && agent.resultFormat !== 'markdown' ? { suggestions: extras.suggestions } : {}) });
      });
    });
  }

  /**
   * One attempt of the worker at a comment-mode task: fill the instructions, write the analysis,
   * post it with the Jira tool, and record the attempt (a record exists only once it has ended).
   * The scripted behaviours make it fail the ways the platform does: a second comment after a
   * retry, no comment at all, a comment Jira refuses, a public comment on a service request.
   */
  private async commentAttempt(execution: Execution, agent: AiOpsAgent, attempt: number): Promise<void> {
    const started = Date.now();
    const payload = execution.payload;
    const behaviour = agent.behaviour ?? {};
    const record = (status: 'completed' | 'failed', steps: TraceStep[] | null, error?: { message: string; type: string }) =>
      this.records.add({
        agent_id: agent.id,
        tenant_id: String(payload.tenant_id ?? ''),
        input: payload,
        steps,
        status,
        execution_time: Math.max(1, Date.now() - started),
        created_at: new Date().toISOString(),
        error_message: error?.message ?? null,
        error_type: error?.type ?? null,
        task_id: execution.id,
      });
    const fail = (steps: TraceStep[] | null, error: { message: string; type: string }) => {
      record('failed', steps, error);
      execution.status = 'failed';
      execution.error = error.message;
    };
    let closing: string | undefined;
    if (agent.instructions) {
      const filled = formatInstructions(agent.instructions, payload);
      if (!filled.ok) return fail(null, { message: filled.error, type: filled.type });
      closing = closingLineAskedFor(filled.text);
    }
    if (behaviour.silentFailure === 'budget') return fail(null, { message: 'Budget exhausted: the tenant has used its token budget for this period', type: 'BudgetExceededError' });
    if (behaviour.silentFailure === 'no-tools') {
      return fail([{ step_type: 'llm_response', response: 'I cannot post the analysis: no Jira tool is available to me.' }], { message: 'No tools were loaded from the MCP servers', type: 'ToolLoadError' });
    }
    const issueKey = String(payload.issue_key ?? (payload.issue as { key?: string } | undefined)?.key ?? '');
    const padding = behaviour.extraAnalysisChars ? `\n\n## Details\n\n${'The logs show the same stack trace again. '.repeat(Math.ceil(behaviour.extraAnalysisChars / 42)).slice(0, behaviour.extraAnalysisChars)}` : '';
    const extras = await this.analysisExtras(payload, agent);
    const markdown = `${analysisAsMarkdown(analyseIssue(payload), extras)}${padding}${closing ? `\n\n${closing}` : ''}`;
    execution.result = markdown;
    if (behaviour.silentFailure === 'claimed') {
      // The model's last answer holds the analysis and claims a comment no tool call ever posted.
      record('completed', [{ step_type: 'llm_response', response: `${markdown}\n\nI have posted this analysis as a comment on ${issueKey}.` }]);
      execution.status = 'completed';
      return;
    }
    const posted = await this.postComment(issueKey, markdown, behaviour.commentVisibility ?? 'public');
    const steps: TraceStep[] = [
      { step_type: 'tool_call', tool_name: 'jira_add_comment', tool_args: { issue_key: issueKey, comment: markdown }, tool_result: posted.text },
      { step_type: 'llm_response', response: posted.ok ? `I posted the analysis as a comment on ${issueKey}.` : `I could not post the comment on ${issueKey}.` },
    ];
    if (behaviour.duplicateComment && attempt === 1 && attempt < MAX_TASK_ATTEMPTS) {
      // The attempt fails after its comment was posted; the worker runs the whole agent again.
      fail(steps, { message: 'ReadTimeout: the model provider did not answer in time', type: 'ReadTimeout' });
      execution.status = 'running';
      this.later(RETRY_COUNTDOWN_MS, () => this.commentAttempt(execution, agent, attempt + 1));
      return;
    }
    record('completed', steps);
    execution.status = 'completed';
  }

  /**
   * What the agent adds beyond the sections: issues like this one, found with its Jira tool's search
   * (as its own account, so only issues it may browse), and its suggestions block.
   */
  private async analysisExtras(payload: Record<string, unknown>, agent: AiOpsAgent): Promise<{ similar?: Array<{ key: string; summary: string }>; suggestions?: Record<string, unknown> }> {
    const suggestions = agent.suggestionsBlock === false ? undefined : suggestionsFor(payload);
    const jira = this.options.jira;
    const issue = (payload.issue ?? {}) as { key?: string; fields?: { summary?: string } };
    const key = String(payload.issue_key ?? issue.key ?? '');
    const word = (issue.fields?.summary ?? '')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 5 && !['about', 'after', 'every', 'there', 'which', 'while', 'should', 'cannot'].includes(w))
      .sort((a, b) => b.length - a.length)[0];
    if (!jira || !word || !key.includes('-')) return { ...(suggestions ? { suggestions } : {}) };
    const project = key.split('-')[0];
    const jql = `project = ${project} AND summary ~ "${word}" AND key != ${key} ORDER BY created DESC`;
    try {
      const response = await fetch(`${jira.baseUrl()}/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=summary&maxResults=3`, { headers: { 'X-Sandbox-Account': jira.account } });
      const found = response.ok ? (((await response.json()) as { issues?: Array<{ key: string; fields?: { summary?: string } }> }).issues ?? []) : [];
      return { similar: found.map((i) => ({ key: i.key, summary: i.fields?.summary ?? '' })), ...(suggestions ? { suggestions } : {}) };
    } catch {
      return { ...(suggestions ? { suggestions } : {}) };
    }
  }

  /**
   * `jira_add_comment` of a Jira MCP server: REST v3 `POST /rest/api/3/issue/{key}/comment` as the
   * platform's account, the Markdown sent as plain paragraphs (as such tools often do). An internal
   * comment goes through `POST /rest/servicedeskapi/request/{key}/comment` with `public: false`,
   * as mcp-atlassian's `add_comment(public=False)` does. Answers what the tool returns the model.
   */
  private async postComment(issueKey: string, markdown: string, visibility: 'public' | 'internal'): Promise<{ ok: boolean; text: string }> {
    const jira = this.options.jira;
    if (!jira || !issueKey) return { ok: false, text: 'Error: no Jira connection is configured' };
    const body = {
      type: 'doc',
      version: 1,
      content: markdown.split(/\n{2,}/).map((block) => ({
        type: 'paragraph',
        content: block.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]),
      })),
    };
    const internal = visibility === 'internal';
    const url = internal ? `${jira.baseUrl()}/rest/servicedeskapi/request/${encodeURIComponent(issueKey)}/comment` : `${jira.baseUrl()}/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': jira.account },
        body: JSON.stringify(internal ? { body: markdown, public: false } : { body }),
      });
      this.comments.push({ issueKey, status: response.status, at: Date.now() });
      this.options.log?.(`AI Ops: comment on ${issueKey} as ${jira.account} -> ${response.status}`);
      const text = await response.text();
      return { ok: response.ok, text: response.ok ? text : `Error: Jira answered ${response.status}: ${text}` };
    } catch (error) {
      this.comments.push({ issueKey, status: 0, at: Date.now() });
      this.options.log?.(`AI Ops: comment on ${issueKey} failed: ${String(error)}`);
      return { ok: false, text: `Error: ${String(error)}` };
    }
  }

  private async sendCallback(execution: Execution, agent: AiOpsAgent, message: Record<string, unknown>): Promise<void> {
    const mode = agent.results ?? 'comment';
    const url = execution.payload.callback_url;
    if (mode === 'poll' || mode === 'comment' || typeof url !== 'string') return;
    const body = JSON.stringify(message);
    const key = decodeBase64LikePython(agent.secret);
    const headers = signRequest(body, [key], `cb_${execution.id}_${message.status}`, Date.now());
    // A callback that is not taken is tried again a few times, as the platform's HTTP tool does.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { ...headers }, body });
        execution.callbacks.push({ status: response.status, body: await response.text() });
        this.options.log?.(`AI Ops: callback ${String(message.status)} for ${execution.id} -> ${response.status}`);
        if (response.status < 500 && response.status !== 404) return;
      } catch (error) {
        execution.callbacks.push({ status: 0, body: String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  private handleStatus(req: Request, res: Response): void {
    const auth = this.options.statusAuth;
    if (auth && req.header(auth.header) !== auth.value) {
      res.status(401).json({ detail: 'Not authenticated' });
      return;
    }
    const execution = this.executions.get(String(req.params.id));
    if (!execution) {
      res.status(404).json({ detail: 'Execution not found' });
      return;
    }
    res.json({ execution_id: execution.id, status: execution.status, result: execution.result ?? null, error: execution.error ?? null });
  }
}

/** Signs like a correct client would, for tests that call the server directly. */
export function signForAgent(body: string, secret: string): string {
  return hubSignature(body, decodeBase64LikePython(secret));
}
