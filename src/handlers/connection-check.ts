/**
 * The connection check an admin runs from the admin page (and that runs after Save): health, then
 * the agent and secret, proven with a signed body that is not JSON so no ticket is sent. Both
 * requests run at once, each capped at 20 s, so the check fits the resolver's 25 s.
 */
import { CREDENTIALS_PROBE_BODY, diagnoseCredentials, diagnoseHealth, type CheckStep } from '../core/connection-test';
import type { Translate } from '../core/i18n';
import type { GlobalSettings } from '../core/settings';
import { signRequest } from '../core/signing';
import { getStatus, postSigned, RESOLVER_REQUEST_CAP_MS } from '../forge/aiops-adapter';
import { signingKeys } from '../forge/signing-keys';

/**
 * When the health URL fails too, a 404 or an HTML page from the webhook URL says the base URL is
 * not the AI Ops API (a path such as /api/v1 on it, or the web UI's address), not that the agent
 * is unknown: the agent step then says so instead of blaming a correct agent id.
 */
function blameTheUrl(steps: CheckStep[], baseUrl: string, t: Translate): CheckStep[] {
  const [health, agent] = steps;
  if (health.ok || agent.ok || !['notFound', 'other', 'unexpected', 'html'].includes(agent.kind ?? '')) return steps;
  return [health, { ...agent, kind: 'wrongUrl', title: t('check.wrongUrl.title'), detail: t('check.wrongUrl.detail', { base: baseUrl }) }];
}

/** The signed probe alone: does AI Ops accept this key for the agent? Sends no ticket. */
export function probeCredentials(settings: GlobalSettings, key: Buffer, t: Translate): Promise<CheckStep> {
  const timeoutMs = Math.min(settings.requestTimeoutSeconds * 1000, RESOLVER_REQUEST_CAP_MS);
  const webhookUrl = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  const headers = signRequest(CREDENTIALS_PROBE_BODY, [key], `check_${Date.now()}`, Date.now());
  return postSigned(webhookUrl, CREDENTIALS_PROBE_BODY, { ...headers }, timeoutMs).then((answer) => diagnoseCredentials(answer, webhookUrl, settings.keyEncoding, t));
}

export interface ConnectionCheck {
  ok: boolean;
  steps: CheckStep[];
}

/**
 * Every step is worded with `t`, the reader's locale. `key`: check this key instead of the stored
 * secret (a secret the admin just typed, before it replaces the stored one).
 */
export async function checkConnection(settings: GlobalSettings, t: Translate, key?: Buffer): Promise<ConnectionCheck> {
  const timeoutMs = Math.min(settings.requestTimeoutSeconds * 1000, RESOLVER_REQUEST_CAP_MS);
  const healthUrl = `${settings.aiopsBaseUrl}/api/v1/health`;
  const webhookUrl = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  const keys = key ? ({ ok: true, keys: [key] } as const) : await signingKeys({ kind: 'global' }, settings.keyEncoding);
  const health = getStatus(healthUrl, {}, timeoutMs).then((answer) => diagnoseHealth(answer, healthUrl, t));
  const credentials: Promise<CheckStep> = keys.ok
    ? probeCredentials(settings, keys.keys[0], t)
    : Promise.resolve({ step: 'agent', ok: false, title: t('check.secretProblem'), detail: keys.reason });
  const steps = blameTheUrl(await Promise.all([health, credentials]), settings.aiopsBaseUrl, t);
  return { ok: steps.every((step) => step.ok), steps };
}
