/**
 * Reference AI Ops API for the sandbox and the tests. It behaves as AIOPS-CONTRACT.md describes the
 * real FastAPI service: HMAC-SHA256 over the raw body with the base64-decoded agent secret, the
 * same status codes and `detail` texts, executions queued and run by a worker, results sent to the
 * payload's `callback_url` and served at a status endpoint.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { decodeBase64LikePython, hubSignature, signRequest, verifyHubSignature } from '../src/core/signing';
import { analyseIssue, analysisAsMarkdown } from './ticket-enhancer-analysis';

export interface AiOpsAgent {
  id: string;
  /** base64 text of the key bytes, as the platform generates it */
  secret: string;
  status?: 'ACTIVE' | 'INACTIVE' | 'PAUSED';
  /** When true the agent's JSON Schema forbids properties outside the Automation payload. */
  strictSchema?: boolean;
  /** When false the webhook trigger is not configured: 500. */
  triggerConfigured?: boolean;
  /** How results come back: 'callback' posts to callback_url; 'poll' only serves the status endpoint. */
  results?: 'callback' | 'poll' | 'both';
  /** Result shape: named sections (object) or one markdown text. */
  resultFormat?: 'sections' | 'markdown';
}

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

export interface AiOpsServerOptions {
  agents: AiOpsAgent[];
  /** Platform waits are divided by this (queue pick-up, analysis time). */
  timeScale?: number;
  /** Milliseconds the worker "thinks" before running, and before completing, at time scale 1. */
  workMs?: number;
  /** Header and value the status endpoint requires, when set. */
  statusAuth?: { header: string; value: string };
  log?: (line: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTOMATION_FIELDS = new Set(['issue_key', 'event_type', 'timestamp', 'issue', 'tenant_id', 'request_type']);

export class AiOpsServer {
  readonly received: ReceivedRequest[] = [];
  readonly executions = new Map<string, Execution>();
  private readonly faults: ScriptedFault[] = [];
  private readonly agents = new Map<string, AiOpsAgent>();
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor(private readonly options: AiOpsServerOptions) {
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
    app.get('/api/v1/health', (_req, res) => {
      res.json({ status: 'healthy', database: 'ok', redis: 'ok' });
    });
    app.post('/webhook/agents/:agentId/webhook', express.raw({ type: () => true, limit: '5mb' }), (req, res) => {
      void this.handleWebhook(req, res);
    });
    app.get('/api/executions/:id', (req, res) => this.handleStatus(req, res));
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

  private later(ms: number, run: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms / (this.options.timeScale ?? 1));
    this.timers.add(timer);
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

    const fault = this.faults.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.hangUp) {
        this.received.push({ at: Date.now(), agentId, headers, rawBody: rawBody.toString('utf8'), status: 0, answer: 'hang-up' });
        req.socket.destroy();
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
    if (!verifyHubSignature(rawBody, signature, [decodeBase64LikePython(agent.secret)])) {
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
    const execution: Execution = { id: randomUUID(), agentId: agent.id, status: 'queued', payload, callbacks: [] };
    this.executions.set(execution.id, execution);
    answer(202, { status: 'queued', execution_id: execution.id, message: 'Agent execution queued' });
    this.runExecution(execution, agent);
  }

  private runExecution(execution: Execution, agent: AiOpsAgent): void {
    const work = this.options.workMs ?? 1500;
    this.later(work / 3, async () => {
      execution.status = 'running';
      await this.sendCallback(execution, agent, { execution_id: execution.id, status: 'running' });
      this.later(work, async () => {
        const sections = analyseIssue(execution.payload);
        execution.result = agent.resultFormat === 'markdown' ? analysisAsMarkdown(sections) : sections;
        execution.status = 'completed';
        await this.sendCallback(execution, agent, { execution_id: execution.id, status: 'completed', result: execution.result });
      });
    });
  }

  private async sendCallback(execution: Execution, agent: AiOpsAgent, message: Record<string, unknown>): Promise<void> {
    const mode = agent.results ?? 'callback';
    const url = execution.payload.callback_url;
    if (mode === 'poll' || typeof url !== 'string') return;
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
