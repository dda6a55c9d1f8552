/**
 * A tiny Forge app used only by the platform contract tests: each handler calls an unmodified
 * `@forge/*` SDK the way any app would, and reports what the platform answered.
 */
import api, { permissions, route } from '@forge/api';
import { InvocationError, InvocationErrorCode, Queue } from '@forge/events';
import { kvs, Sort } from '@forge/kvs';
import Resolver from '@forge/resolver';

/** Where a relay of pushes stopped, and why. */
export const relayStopped: Array<{ n: number; error: ReturnType<typeof describeError> }> = [];

/** What the consumer saw, invocation by invocation. */
export const consumed: Array<{ body: Record<string, unknown>; retryContext?: unknown }> = [];

const describeError = (error: unknown) => ({ name: (error as Error)?.name, message: (error as Error)?.message, code: (error as { code?: string })?.code, errorCode: (error as { errorCode?: string })?.errorCode });

export async function canFetch({ url }: { url: string }) {
  try {
    return { allowed: permissions.canFetchFrom('backend', url) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

export async function fetchUrl({ url }: { url: string }) {
  try {
    const response = await api.fetch(url);
    return { status: response.status, proxyError: response.headers.get('forge-proxy-error') };
  } catch (error) {
    return { error: describeError(error) };
  }
}

export async function kvsProbe({ op, key, value, prefix }: { op: string; key?: string; value?: unknown; prefix?: string }) {
  try {
    if (op === 'set') return await kvs.set(key!, value).then(() => ({ ok: true }));
    if (op === 'setOnce') return await kvs.set(key!, value, { keyPolicy: 'FAIL_IF_EXISTS' }).then(() => ({ ok: true }));
    if (op === 'query') {
      const { WhereConditions } = await import('@forge/kvs');
      const page = await kvs.query().where('key', WhereConditions.beginsWith(prefix!)).limit(100).getMany();
      return { keys: page.results.map((r) => r.key) };
    }
    if (op === 'entityNewest') {
      const page = await kvs.entity<{ at: string }>('probe-entity').query().index('by-at').sort(Sort.DESC).limit(3).getMany();
      return { keys: page.results.map((r) => r.key) };
    }
    if (op === 'entitySet') return await kvs.entity('probe-entity').set(key!, value).then(() => ({ ok: true }));
    return { error: `unknown op ${op}` };
  } catch (error) {
    return { error: describeError(error) };
  }
}

const queue = new Queue({ key: 'probe-queue' });

export async function push({ events, concurrency }: { events: Array<Record<string, unknown>>; concurrency?: { key: string; limit: number } }) {
  try {
    await queue.push(events.map((body) => ({ body, ...(concurrency ? { concurrency } : {}) })));
    return { ok: true };
  } catch (error) {
    const failed = (error as { failedEvents?: Array<{ errorMessage: string; payload?: { body?: unknown } }> }).failedEvents;
    return { error: describeError(error), ...(failed ? { failed: failed.map((f) => f.payload?.body) } : {}) };
  }
}

/** The consumer does what each event's body says: finish, throw, hang, or ask for a retry. */
export async function consume(event: { body: Record<string, unknown>; retryContext?: { retryData?: unknown } }) {
  consumed.push({ body: event.body, retryContext: event.retryContext });
  const mode = event.body.mode;
  const first = !event.retryContext;
  if (mode === 'throw' && first) throw new Error('boom');
  if (mode === 'hang' && first) await new Promise(() => undefined);
  if (mode === 'relay') {
    // Each event pushes the next: one chain of invocations, until the platform refuses.
    try {
      await queue.push([{ body: { mode: 'relay', n: Number(event.body.n ?? 0) + 1 } }]);
    } catch (error) {
      relayStopped.push({ n: Number(event.body.n ?? 0), error: describeError(error) });
    }
    return undefined;
  }
  if (mode === 'retry' && first) {
    return new InvocationError({ retryAfter: 1, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST, retryData: { blob: 'x'.repeat(Number(event.body.bytes ?? 10)) } });
  }
  return undefined;
}

/** Signs `n` realtime tokens one after the other; reports the errors @forge/realtime gave. */
export async function signTokens({ n }: { n: number }) {
  const { signRealtimeToken } = await import('@forge/realtime');
  const errors: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const signed = await signRealtimeToken('probe-channel', { i }, ['subscribe']);
    if (!signed.token) errors.push(String(signed.errors?.[0]?.message));
  }
  return { errors };
}

/** Reads an issue as the invoking user, and reports what @forge/api did. */
export async function readAsUser() {
  try {
    const response = await api.asUser().requestJira(route`/rest/api/3/issue/DEMO-1`);
    return { status: response.status };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** A scheduled trigger's function that answers nothing, and one that answers as the events reference asks. */
export async function quietSchedule() {
  return undefined;
}

export async function answeringSchedule() {
  return { statusCode: 204 };
}

export async function slowTrigger() {
  await new Promise(() => undefined);
}

export async function webhook(request: Record<string, unknown>) {
  return { statusCode: 201, headers: { 'Content-Type': ['application/json'] }, body: JSON.stringify({ seen: request }) };
}

const resolver = new Resolver();
resolver.define('context', ({ context }) => context as unknown as Record<string, unknown>);
export const contextResolver = resolver.getDefinitions();
