/**
 * The callback web trigger AI Ops posts results to. Public URL, no platform auth: the signature
 * over the raw body is checked, with the secret the URL names, before the run is read or the body
 * parsed, and a rejected call changes nothing.
 */
import { MAX_CALLBACK_BYTES, parseCallback } from '../core/callback';
import { callbackSecret, sameScope } from '../core/callback-secret';
import { applyResult } from '../core/enhancement';
import { suggestionsIn } from '../core/analysis';
import type { SecretScope } from '../core/settings';
import { verifyHubSignature, verifyStandardWebhook, type KeyEncoding } from '../core/signing';
import { publishChange } from '../forge/run-publisher';
import { getRun, type StoredRun } from '../forge/run-store';
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

const UNVERIFIED = 'the request could not be verified: invalid or missing X-Hub-Signature-256';

/**
 * The connection's keys (current first) and whether `X-Hub-Signature-256` verifies with them; the
 * previous secret (and the settings that say whether it is still in its grace period) is read only
 * when the current one does not verify.
 */
async function keysFor(scope: SecretScope, encoding: KeyEncoding, body: string, hubSignature: string | undefined) {
  const current = await signingKeys(scope, encoding);
  if (!current.ok) return current;
  if (verifyHubSignature(body, hubSignature, current.keys)) return { ...current, verified: true };
  const until = scope.kind === 'global' ? (await loadGlobalSettings())?.previousSecret?.until : undefined;
  if (!until) return { ...current, verified: false };
  const withPrevious = await signingKeys(scope, encoding, until);
  return withPrevious.ok ? { ...withPrevious, verified: verifyHubSignature(body, hubSignature, withPrevious.keys) } : withPrevious;
}

export async function receiveCallback(request: WebTriggerRequest): Promise<WebTriggerResponse> {
  if ((request.method ?? 'POST').toUpperCase() !== 'POST') return reply(405, 'only POST is accepted');
  const body = request.body ?? '';
  if (Buffer.byteLength(body) > MAX_CALLBACK_BYTES) return reply(413, `the body is over ${MAX_CALLBACK_BYTES} bytes`);
  const issueId = param(request, 'issue');
  const deliveryId = param(request, 'delivery');
  // Every call that cannot be verified gets this same answer, whatever the cause: an anonymous
  // caller learns nothing about which deliveries exist or which projects have their own secret.
  if (!issueId || !deliveryId) return reply(401, UNVERIFIED);
  const hubSignature = header(request, 'x-hub-signature-256');

  // The URL names the secret the delivery was signed with: verify with it before reading the run,
  // then hold the run to it. URLs sent by earlier versions name none: the run says which.
  const named = callbackSecret(param(request, 'secret'), param(request, 'encoding'));
  let stored: StoredRun | undefined;
  let keys: Awaited<ReturnType<typeof keysFor>>;
  if (named) {
    keys = await keysFor(named.scope, named.encoding, body, hubSignature);
  } else {
    stored = await getRun(deliveryId);
    const run = stored?.run;
    if (!run?.secretScope || !run.keyEncoding) return reply(401, UNVERIFIED);
    keys = await keysFor(run.secretScope, run.keyEncoding, body, hubSignature);
  }
  if (!keys.ok || !keys.verified) return reply(401, UNVERIFIED);
  const webhookHeaders = { id: header(request, 'webhook-id'), timestamp: header(request, 'webhook-timestamp'), signature: header(request, 'webhook-signature') };
  if (webhookHeaders.id || webhookHeaders.timestamp || webhookHeaders.signature) {
    const check = verifyStandardWebhook(body, webhookHeaders, keys.keys, Date.now());
    if (!check.ok) return reply(401, check.reason === 'stale' ? 'webhook-timestamp is outside the five-minute tolerance' : 'invalid webhook-signature');
  }

  stored ??= await getRun(deliveryId);
  const run = stored?.run;
  if (!stored || !run || run.issueId !== issueId || !run.secretScope || !run.keyEncoding) return reply(404, 'unknown execution');
  // A run answers only to the secret it was sent with: a callback signed with another
  // connection's secret (another project's, say) cannot move it.
  if (named && (!sameScope(named.scope, run.secretScope) || named.encoding !== run.keyEncoding)) return reply(404, 'unknown execution');
  const parsed = parseCallback(body);
  if (!parsed.ok) return reply(400, parsed.reason);
  if (!run.executionId || run.executionId !== parsed.message.executionId) return reply(404, 'unknown execution');
  // The signed send time orders messages; without the Standard Webhooks headers there is none, and
  // the run's states only move forward (docs/security.md, "Callbacks").
  const sentAtMs = webhookHeaders.timestamp && /^\d{1,12}$/.test(webhookHeaders.timestamp) ? Number(webhookHeaders.timestamp) * 1000 : undefined;
  const changed = await publishChange(run.deliveryId, (current) => applyResult(current, { ...parsed.message, ...(sentAtMs !== undefined ? { sentAtMs } : {}) }, Date.now(), 'callback'), stored);
  if (changed?.run.status === 'completed' && changed.run.autoApply && (changed.run.suggestions?.labels?.length || suggestionsIn(typeof changed.run.result === 'string' ? changed.run.result : '')?.labels?.length)) {
    await (await import(/* webpackMode: "eager" */ './comment-event-trigger')).startAutoApply(changed.run);
  }
  return reply(200, changed ? 'recorded' : 'already recorded');
}
