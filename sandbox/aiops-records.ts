/**
 * The reference AI Ops platform's execution records and the lookup routes over them, as
 * AIOPS-CONTRACT "Looking a run up" describes the real service: one record per attempt of a task
 * (`task_id` = the 202's execution id), written once the attempt has ended (no "running" record),
 * masked the platform's way, listed newest first by agent, read by record id; both routes take only
 * an `X-Tenant-ID` header (FastAPI answers 422 without it), and a record of another tenant is 403.
 *
 * Also the worker's habit of filling the agent's instructions with `str.format(**payload)`, which
 * is how a run marker gets its value ("What the platform does in practice").
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export interface TraceStep {
  step_type: 'tool_call' | 'llm_response';
  tool_name?: string;
  tool_args?: Record<string, unknown>;
  tool_result?: string;
  response?: string;
}

export interface ExecutionRecord {
  id: string;
  agent_id: string;
  tenant_id: string;
  input_data: unknown;
  output_data: { steps: TraceStep[] } | null;
  status: 'completed' | 'failed';
  execution_time: number;
  created_at: string;
  updated_at: null;
  error_message: string | null;
  error_type: string | null;
  task_id: string;
}

/** The platform's masking: any key containing one of these words is blanked, whatever it holds. */
const MASKED = /auth|token|secret|password/i;

export function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, MASKED.test(key) ? '***' : masked(inner)]));
}

/** The tool results the trace keeps: their first 500 characters. */
export const TOOL_RESULT_CHARS = 500;

export class ExecutionRecords {
  readonly all: ExecutionRecord[] = [];

  add(record: Omit<ExecutionRecord, 'id' | 'updated_at' | 'input_data' | 'output_data'> & { input: unknown; steps: TraceStep[] | null }): ExecutionRecord {
    const { input, steps, ...rest } = record;
    const stored: ExecutionRecord = {
      ...rest,
      id: randomUUID(),
      input_data: masked(input),
      output_data: steps ? (masked({ steps: steps.map((step) => ({ ...step, ...(step.tool_result !== undefined ? { tool_result: step.tool_result.slice(0, TOOL_RESULT_CHARS) } : {}) })) }) as { steps: TraceStep[] }) : null,
      updated_at: null,
    };
    this.all.push(stored);
    return stored;
  }

  forTask(taskId: string): ExecutionRecord[] {
    return this.all.filter((record) => record.task_id === taskId);
  }
}

export interface LookupRouteOptions {
  /** The routes moved behind a login: every request answers 401 (the app must read "not available"). */
  requireLogin: () => boolean;
}

function tenantOf(req: Request, res: Response): string | undefined {
  const tenant = req.header('x-tenant-id');
  if (tenant) return tenant;
  res.status(422).json({ detail: [{ type: 'missing', loc: ['header', 'x-tenant-id'], msg: 'Field required', input: null }] });
  return undefined;
}

/** What both lookup routes check first: a login where one is asked for (401), then the tenant header (422). */
function admitted(req: Request, res: Response, options: LookupRouteOptions): string | undefined {
  if (options.requireLogin()) {
    res.status(401).json({ detail: 'Not authenticated' });
    return undefined;
  }
  return tenantOf(req, res);
}

/** `GET /api/agents/{agent_id}/history`: the agent's records of the tenant, newest first, filtered and paged. */
export function historyRoute(records: ExecutionRecords, options: LookupRouteOptions) {
  return (req: Request, res: Response): void => {
    const tenant = admitted(req, res, options);
    if (!tenant) return;
    const limit = Number(req.query.limit ?? 50);
    const offset = Number(req.query.offset ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0) {
      res.status(422).json({ detail: [{ type: 'value_error', loc: ['query', 'limit'], msg: 'limit must be 1..500, offset 0 or more' }] });
      return;
    }
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    const start = typeof req.query.start_date === 'string' ? req.query.start_date : undefined;
    const end = typeof req.query.end_date === 'string' ? req.query.end_date : undefined;
    const agentId = String(req.params.agentId).toLowerCase();
    const matching = records.all
      .filter((record) => record.agent_id.toLowerCase() === agentId && record.tenant_id === tenant)
      .filter((record) => !status || (status === 'success' ? record.status === 'completed' : record.status === status))
      .filter((record) => !start || record.created_at.slice(0, 10) >= start)
      .filter((record) => !end || record.created_at.slice(0, 10) <= end)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    res.json({
      records: matching.slice(offset, offset + limit).map((record) => ({
        execution_id: record.id,
        timestamp: record.created_at,
        status: record.status,
        duration_ms: record.execution_time,
        input_tokens: 0,
        output_tokens: 0,
        error_message: record.error_message,
        error_type: record.error_type,
      })),
      pagination: { total: matching.length, limit, offset, has_more: offset + limit < matching.length },
    });
  };
}

/** `GET /api/executions/{record_id}`: one record, masked; 404 unknown, 403 another tenant's. */
export function recordRoute(records: ExecutionRecords, options: LookupRouteOptions) {
  return (req: Request, res: Response): void => {
    const tenant = admitted(req, res, options);
    if (!tenant) return;
    const record = records.all.find((r) => r.id === String(req.params.id));
    if (!record) {
      res.status(404).json({ detail: 'Execution not found' });
      return;
    }
    if (record.tenant_id !== tenant) {
      res.status(403).json({ detail: 'Access denied' });
      return;
    }
    res.json(record);
  };
}

export type FormatOutcome = { ok: true; text: string } | { ok: false; error: string; type: string };

/**
 * Python's `instructions.format(**payload)` as the worker runs it: `{{`/`}}` are literal braces;
 * `{name}` takes the payload's top-level value (objects as Python would print them are beyond a
 * marker's needs: JSON here). A name the payload lacks raises KeyError, which the worker catches
 * and then uses the instructions unchanged; `{}` or `{0}` raise IndexError, which fails the run.
 */
export function formatInstructions(instructions: string, payload: Record<string, unknown>): FormatOutcome {
  const fields = /\{\{|\}\}|\{([^{}]*)\}/g;
  let missing = false;
  for (const match of instructions.matchAll(fields)) {
    if (match[0] === '{{' || match[0] === '}}') continue;
    const name = match[1].split(/[.![:]/)[0];
    if (name === '' || /^\d+$/.test(name)) return { ok: false, type: 'IndexError', error: 'Replacement index 0 out of range for positional args tuple' };
    if (!(name in payload)) missing = true;
  }
  if (missing) return { ok: true, text: instructions };
  const text = instructions.replace(fields, (whole, name?: string) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const value = payload[String(name)];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  return { ok: true, text };
}

/** The line the formatted instructions ask the agent to end its comment with, if any. */
export function closingLineAskedFor(instructions: string): string | undefined {
  return /End your comment with the line `([^`]+)`/i.exec(instructions)?.[1];
}
