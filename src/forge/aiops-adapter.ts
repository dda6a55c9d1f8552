/**
 * The one place the app talks to AI Ops: a signed POST (or a GET) through Forge egress. It never
 * asks `permissions.canFetchFrom` first: that reads the manifest's permissions, not the hosts a
 * site admin approved. It sends, and recognises the platform's refusal instead.
 */
import api, { type RequestInit } from '@forge/api';
import type { AiOpsAnswer } from '../core/delivery-policy';

/** Resolvers have 25 s in all; a check made from one never waits longer than this. */
export const RESOLVER_REQUEST_CAP_MS = 20_000;

/** The most of an answer to a delivery that is read: a 202 is tiny, an error page is cut for its reason. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** The most of a status URL's answer that is read: it carries the result, stored up to 160 KiB. */
export const MAX_STATUS_ANSWER_BYTES = 1024 * 1024;

/**
 * The start of a body, at most `maxBytes`, read from the stream and cancelled there: a server that
 * sends gigabytes, or never stops, costs the app no more than the cap.
 */
export async function readCapped(response: globalThis.Response, maxBytes: number): Promise<string> {
  if (!response.body || typeof response.body.getReader !== 'function') return (await response.text()).slice(0, maxBytes);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, maxBytes - total));
      total += Math.min(value.byteLength, maxBytes - total);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * The egress proxy's refusal: a response carrying `forge-proxy-error` (docs, and `@forge/api`
 * out/api/fetch.js `getForgeProxyError`), or the ProxyRequestError / NotAllowedError `@forge/api`
 * throws for it (out/api/errors.js: names PROXY_ERR and REQUEST_EGRESS_ALLOWLIST_ERR).
 */
function refusalOf(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { name, errorCode } = error as { name?: unknown; errorCode?: unknown };
  if (name === 'PROXY_ERR') return typeof errorCode === 'string' ? errorCode : 'PROXY_ERR';
  if (name === 'REQUEST_EGRESS_ALLOWLIST_ERR') return 'REQUEST_EGRESS_ALLOWLIST_ERR';
  return undefined;
}

async function timed(url: string, init: RequestInit, timeoutMs: number, maxBytes: number): Promise<AiOpsAnswer> {
  const host = new URL(url).host;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await api.fetch(url, { ...init, signal: controller.signal, redirect: 'manual' });
    const refused = response.headers.get('forge-proxy-error');
    if (refused) {
      await (response as unknown as globalThis.Response).body?.cancel().catch(() => undefined);
      return { kind: 'egress-refused', host, code: refused };
    }
    const body = await readCapped(response as unknown as globalThis.Response, maxBytes);
    return { kind: 'response', status: response.status, body, retryAfterHeader: response.headers.get('retry-after') };
  } catch (error) {
    const refused = refusalOf(error);
    if (refused) return { kind: 'egress-refused', host, code: refused };
    if (controller.signal.aborted) return { kind: 'timeout', timeoutMs };
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { kind: 'network-error', message: cause };
  } finally {
    clearTimeout(timer);
  }
}

export function postSigned(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AiOpsAnswer> {
  return timed(url, { method: 'POST', headers, body }, timeoutMs, MAX_ANSWER_BYTES);
}

export function getStatus(url: string, headers: Record<string, string>, timeoutMs: number): Promise<AiOpsAnswer> {
  return timed(url, { method: 'GET', headers: { Accept: 'application/json', ...headers } }, timeoutMs, MAX_STATUS_ANSWER_BYTES);
}

/** An unsigned JSON POST (AI Ops' feedback route takes no signature). */
export function postJson(url: string, body: unknown, timeoutMs: number): Promise<AiOpsAnswer> {
  return timed(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) }, timeoutMs, MAX_ANSWER_BYTES);
}
