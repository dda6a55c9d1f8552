/** Resolvers of the Jira admin page. Every one checks, first, that the caller is a Jira admin. */
import Resolver from '@forge/resolver';
import { diagnoseHealth, diagnoseTestDelivery } from '../core/connection-test';
import { runSummary } from '../core/panel-view';
import { buildPayload, serialisePayload } from '../core/payload';
import { rotateSecret, secretProblem, validateGlobalSettings, type GlobalSettings } from '../core/settings';
import { keyFingerprint, secretToKey, signRequest } from '../core/signing';
import { egressApproved, getStatus, postSigned } from '../forge/aiops-adapter';
import { callbackBaseUrl } from '../forge/platform';
import { listAllRuns } from '../forge/run-store';
import { deleteSecret, listProjectSettings, loadGlobalSettings, readSecret, saveGlobalSettings, writeSecret } from '../forge/settings-store';
import { signingKeys } from '../forge/signing-keys';
import { ResolverError, requirePermission, type ForgeResolverContext } from './resolver-context';
import { validationContext } from './validation-context';

const resolver = new Resolver();

async function requireJiraAdmin(context: unknown): Promise<void> {
  if (!(context as ForgeResolverContext).accountId) throw new ResolverError(401, 'this page needs a signed-in user');
  await requirePermission('ADMINISTER');
}

async function adminView() {
  const [settings, projects, runs, callbackUrl] = await Promise.all([loadGlobalSettings(), listProjectSettings(), listAllRuns(50), callbackBaseUrl()]);
  const host = settings ? new URL(settings.aiopsBaseUrl).host : undefined;
  return {
    settings: settings ?? null,
    egress: settings ? { host, approved: egressApproved(`${settings.aiopsBaseUrl}/`) } : null,
    callbackUrl,
    statusAuthConfigured: settings?.statusAuthHeaderName ? Boolean(await readSecret({ kind: 'global' }, 'status-auth')) : false,
    projects: projects.map(({ projectId, settings: p }) => ({ projectId, projectKey: p.projectKey ?? projectId, enabled: p.enabled, events: p.events, overrides: Boolean(p.agentId || p.tenantId || p.secret) })),
    deliveries: runs.map(runSummary),
  };
}

resolver.define('load', async ({ context }) => {
  await requireJiraAdmin(context);
  return adminView();
});

resolver.define('save', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const input = (payload ?? {}) as Record<string, unknown>;
  const stored = await loadGlobalSettings();
  const validated = validateGlobalSettings(input.settings, validationContext(), stored);
  const errors = validated.ok ? [] : [...validated.errors];
  const newSecret = typeof input.secret === 'string' && input.secret.length > 0 ? input.secret : undefined;
  const encoding = validated.ok ? validated.value.keyEncoding : 'base64';
  if (newSecret) {
    const problem = secretProblem(newSecret, encoding);
    if (problem) errors.push({ field: 'secret', message: problem });
  } else if (!stored?.secret) {
    errors.push({ field: 'secret', message: 'HMAC secret is required' });
  } else if (validated.ok && stored.keyEncoding !== encoding) {
    // The stored secret must still decode under a changed key encoding.
    const problem = secretProblem((await readSecret({ kind: 'global' }, 'current')) ?? '', encoding);
    if (problem) errors.push({ field: 'keyEncoding', message: `The stored secret does not work with ${encoding}: ${problem}` });
  }
  const statusAuth = typeof input.statusAuthValue === 'string' && input.statusAuthValue.length > 0 ? input.statusAuthValue : undefined;
  if (!validated.ok || errors.length > 0) return { ok: false, errors };

  let next: GlobalSettings = validated.value;
  if (newSecret) {
    next = rotateSecret(next, keyFingerprint(secretToKey(newSecret, encoding)), Date.now());
    const previous = stored?.secret ? await readSecret({ kind: 'global' }, 'current') : undefined;
    if (previous) await writeSecret({ kind: 'global' }, 'previous', previous);
    await writeSecret({ kind: 'global' }, 'current', newSecret);
  }
  if (statusAuth) await writeSecret({ kind: 'global' }, 'status-auth', statusAuth);
  await saveGlobalSettings(next);
  return { ok: true, view: await adminView() };
});

resolver.define('endSecretGrace', async ({ context }) => {
  await requireJiraAdmin(context);
  const stored = await loadGlobalSettings();
  if (stored?.previousSecret) {
    await deleteSecret({ kind: 'global' }, 'previous');
    await saveGlobalSettings({ ...stored, previousSecret: undefined });
  }
  return { ok: true, view: await adminView() };
});

resolver.define('checkConnection', async ({ context }) => {
  await requireJiraAdmin(context);
  const settings = await loadGlobalSettings();
  if (!settings) return { ok: false, title: 'Not configured', detail: 'Save the AI Ops base URL first.' };
  const url = `${settings.aiopsBaseUrl}/api/v1/health`;
  if (!egressApproved(url)) return { ok: false, title: 'Egress not approved', detail: `Approve ${new URL(url).host} first (the "Approve egress" button).` };
  return diagnoseHealth(await getStatus(url, {}, settings.requestTimeoutSeconds * 1000), url);
});

resolver.define('sendTestIssue', async ({ context }) => {
  await requireJiraAdmin(context);
  const settings = await loadGlobalSettings();
  if (!settings) return { ok: false, title: 'Not configured', detail: 'Save the connection first.' };
  const url = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  if (!egressApproved(url)) return { ok: false, title: 'Egress not approved', detail: `Approve ${new URL(url).host} first (the "Approve egress" button).` };
  const keys = await signingKeys({ kind: 'global' }, settings.keyEncoding, settings.previousSecret?.until);
  if (!keys.ok) return { ok: false, title: 'Secret problem', detail: keys.reason };
  const now = Date.now();
  const deliveryId = `test_${now}`;
  const body = serialisePayload(
    buildPayload(
      {
        id: '0',
        key: 'TEST-0',
        fields: { summary: 'Connection test from AI Ops Ticket Enhancer for Jira', description: 'This is a test issue sent by a Jira admin. It can be ignored.', issuetype: { id: '0', name: 'Task' }, status: { name: 'To Do' }, priority: { id: '3', name: 'Medium' }, created: new Date(now).toISOString() },
      },
      { ...settings, secretScope: { kind: 'global' } },
      { event: 'test', deliveryId, nowMs: now },
    ),
  );
  const answer = await postSigned(url, body, { ...signRequest(body, keys.keys, deliveryId, now) }, settings.requestTimeoutSeconds * 1000);
  return diagnoseTestDelivery(answer, Date.now());
});

export const adminResolver = resolver.getDefinitions();
