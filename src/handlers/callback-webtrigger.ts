/**
 * The callback web trigger AI Ops posts results to. Public URL, no platform auth: the signature
 * over the raw body is checked before the body is read, and a rejected call changes nothing.
 */
import { MAX_CALLBACK_BYTES, parseCallback } from '../core/callback';
import { applyResult } from '../core/enhancement';
import { verifyHubSignature, verifyStandardWebhook } from '../core/signing';
import { publishChange } from '../forge/run-publisher';
import { getRun } from '../forge/run-store';
import { loadGlobalSettings } from '../forge/settings-store';
import { signingKeys } from '../forge/signing-keys';

interface WebTriggerRequest {
  method?: string;
  headers?: Record<string, string[] | string | undefined>;
  body?: string;
  queryParameters?: Record<string, string[] | undefined>;
}

interface WebTriggerResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

function reply(statusCode: number, message: string): WebTriggerResponse {
  return { statusCode, headers: { 'Content-Type': ['application/json'] }, body: JSON.stringify(statusCode < 300 ? { ok: true, message } : { error: message }) };
}

function header(request: WebTriggerRequest, name: string): string | undefined {
  const entry = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value[0] : value;
}

const param = (request: WebTriggerRequest, name: string) => request.queryParameters?.[name]?.[0];

export async function receiveCallback(request: WebTriggerRequest): Promise<WebTriggerResponse> {
  if ((request.method ?? 'POST').toUpperCase() !== 'POST') return reply(405, 'only POST is accepted');
  const body = request.body ?? '';
  if (Buffer.byteLength(body) > MAX_CALLBACK_BYTES) return reply(413, `the body is over ${MAX_CALLBACK_BYTES} bytes`);
  const issueId = param(request, 'issue');
  const deliveryId = param(request, 'delivery');
  if (!issueId || !deliveryId) return reply(404, 'unknown execution: the callback URL is incomplete');
  const stored = await getRun(deliveryId);
  const run = stored?.run;
  if (!stored || !run || run.issueId !== issueId || !run.secretScope || !run.keyEncoding) return reply(404, 'unknown execution');

  // The current secret first; the previous one (and the settings that say whether it is still in
  // its grace period) is read only when the current one does not verify.
  const hubSignature = header(request, 'x-hub-signature-256');
  let keys = await signingKeys(run.secretScope, run.keyEncoding);
  if (keys.ok && !verifyHubSignature(body, hubSignature, keys.keys) && run.secretScope.kind === 'global') {
    const until = (await loadGlobalSettings())?.previousSecret?.until;
    if (until) keys = await signingKeys(run.secretScope, run.keyEncoding, until);
  }
  if (!keys.ok) return reply(401, 'the signature cannot be checked: no valid secret is configured');
  if (!verifyHubSignature(body, hubSignature, keys.keys)) return reply(401, 'invalid or missing X-Hub-Signature-256');
  const webhookHeaders = { id: header(request, 'webhook-id'), timestamp: header(request, 'webhook-timestamp'), signature: header(request, 'webhook-signature') };
  if (webhookHeaders.id || webhookHeaders.timestamp || webhookHeaders.signature) {
    const check = verifyStandardWebhook(body, webhookHeaders, keys.keys, Date.now());
    if (!check.ok) return reply(401, check.reason === 'stale' ? 'webhook-timestamp is outside the five-minute tolerance' : 'invalid webhook-signature');
  }

  const parsed = parseCallback(body);
  if (!parsed.ok) return reply(400, parsed.reason);
  if (!run.executionId || run.executionId !== parsed.message.executionId) return reply(404, 'unknown execution');
  const changed = await publishChange(run.deliveryId, (current) => applyResult(current, parsed.message, Date.now(), 'callback'), stored);
  return reply(200, changed ? 'recorded' : 'already recorded');
}
