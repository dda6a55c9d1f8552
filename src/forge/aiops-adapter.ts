/** The one place the app talks to AI Ops: a signed POST (or a status GET) through Forge egress. */
import api, { permissions, type RequestInit } from '@forge/api';
import type { AiOpsAnswer } from '../core/delivery-policy';

/** False when the host is neither in the manifest nor approved by an administrator. */
export function egressApproved(url: string): boolean {
  return permissions.canFetchFrom('backend', url);
}

async function timed(url: string, init: RequestInit, timeoutMs: number): Promise<AiOpsAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await api.fetch(url, { ...init, signal: controller.signal, redirect: 'manual' });
    const body = await response.text();
    return { kind: 'response', status: response.status, body, retryAfterHeader: response.headers.get('retry-after') };
  } catch (error) {
    if (controller.signal.aborted) return { kind: 'timeout', timeoutMs };
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { kind: 'network-error', message: cause };
  } finally {
    clearTimeout(timer);
  }
}

export function postSigned(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AiOpsAnswer> {
  return timed(url, { method: 'POST', headers, body }, timeoutMs);
}

export function getStatus(url: string, headers: Record<string, string>, timeoutMs: number): Promise<AiOpsAnswer> {
  return timed(url, { method: 'GET', headers: { Accept: 'application/json', ...headers } }, timeoutMs);
}
