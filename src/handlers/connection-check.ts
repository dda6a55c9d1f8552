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

export interface ConnectionCheck {
  ok: boolean;
  steps: CheckStep[];
}

/** Every step is worded with `t`, the reader's locale. */
export async function checkConnection(settings: GlobalSettings, t: Translate): Promise<ConnectionCheck> {
  const timeoutMs = Math.min(settings.requestTimeoutSeconds * 1000, RESOLVER_REQUEST_CAP_MS);
  const healthUrl = `${settings.aiopsBaseUrl}/api/v1/health`;
  const webhookUrl = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  const keys = await signingKeys({ kind: 'global' }, settings.keyEncoding);
  const health = getStatus(healthUrl, {}, timeoutMs).then((answer) => diagnoseHealth(answer, healthUrl, t));
  const credentials: Promise<CheckStep> = keys.ok
    ? postSigned(webhookUrl, CREDENTIALS_PROBE_BODY, { ...signRequest(CREDENTIALS_PROBE_BODY, keys.keys.slice(0, 1), `check_${Date.now()}`, Date.now()) }, timeoutMs).then((answer) =>
        diagnoseCredentials(answer, webhookUrl, settings.keyEncoding, t),
      )
    : Promise.resolve({ step: 'agent', ok: false, title: t('check.secretProblem'), detail: keys.reason });
  const steps = await Promise.all([health, credentials]);
  return { ok: steps.every((step) => step.ok), steps };
}
