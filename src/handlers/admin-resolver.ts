/** Resolvers of the Jira admin page. Every one checks, first, that the caller is a Jira admin. */
import { runSummary } from '../core/panel-view';
import { wordInsights } from '../core/reason-words';
import { rotateSecret, secretProblem, type GlobalSettings } from '../core/settings';
import { fieldError, validateGlobalSettings, wordErrors, type FieldError } from '../core/settings-validation';
import { keyFingerprint, secretToKey } from '../core/signing';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import { callbackBaseUrl, enqueue } from '../forge/platform';
import type { Translate } from '../core/i18n';
import { listAllRuns } from '../forge/run-store';
import { deleteSecret, listProjectSettings, loadGlobalSettings, readSecret, saveGlobalSettings, writeSecret } from '../forge/settings-store';
import { projectInfo } from '../forge/jira-adapter';
import { controlBulk, listBulkRuns, previewBulk, startBulk } from './bulk-runs';
import { checkConnection } from './connection-check';
import { runDiagnose } from './diagnose';
import { readStorageStats } from './data-lifecycle';
import { readInsights, runsWithReason } from './outcome-counters';
import { rememberAccounts } from './personal-data';
import { licensedResolver, reasonOf, ResolverError, requirePermission, type ForgeResolverContext, readerT } from './resolver-context';
import { startTestDelivery, testDeliveryStatus } from './test-delivery';
import { validationContext } from './validation-context';

const resolver = licensedResolver();

async function requireJiraAdmin(context: unknown): Promise<ForgeResolverContext> {
  const ctx = context as ForgeResolverContext;
  if (!ctx.accountId) throw new ResolverError(401, 'this page needs a signed-in user');
  await requirePermission('ADMINISTER');
  return ctx;
}

const cursorOf = (payload: unknown) => {
  const cursor = (payload as { cursor?: unknown } | undefined)?.cursor;
  return typeof cursor === 'string' && cursor.length > 0 && cursor.length < 2000 ? cursor : undefined;
};

async function adminView(t: Translate, cursor?: string) {
  const [settings, projects, page, callbackUrl, storage, insights] = await Promise.all([
    loadGlobalSettings(),
    listProjectSettings(),
    listAllRuns(25, cursor),
    callbackBaseUrl(),
    readStorageStats(),
    readInsights(),
  ]);
  const named = await Promise.all(
    projects.slice(0, 100).map(async ({ projectId, settings: p }) => {
      const info = await projectInfo(projectId);
      return {
        projectId,
        projectKey: info?.key ?? p.projectKey ?? projectId,
        projectName: info?.name,
        enabled: p.enabled,
        events: p.events,
        overrides: Boolean(p.agentId || p.tenantId || p.secret),
      };
    }),
  );
  return {
    settings: settings ?? null,
    callbackUrl,
    statusAuthConfigured: settings?.statusAuthHeaderName ? Boolean(await readSecret({ kind: 'global' }, 'status-auth')) : false,
    projects: named,
    deliveries: page.runs.map((run) => runSummary(run, t)),
    deliveriesCursor: page.nextCursor ?? null,
    insights: wordInsights(insights, t),
    storage: {
      retentionDays: settings?.retentionDays ?? CONNECTION_DEFAULTS.retentionDays,
      runs: storage.runs,
      bytes: storage.bytes,
      oldest: storage.oldest ?? null,
      countedUntil: storage.countedUntil ?? null,
      retentionRanAt: storage.retentionRanAt ?? null,
    },
  };
}

resolver.define('load', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  return adminView(await readerT(payload));
});

/** The next page of site-wide deliveries, newest first; or those that ended for one reason. */
resolver.define('deliveries', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const reason = reasonOf(payload);
  const t = await readerT(payload);
  if (reason) return { deliveries: (await runsWithReason(reason, undefined)).map((run) => runSummary(run, t)), deliveriesCursor: null, reason };
  const page = await listAllRuns(25, cursorOf(payload));
  return { deliveries: page.runs.map((run) => runSummary(run, t)), deliveriesCursor: page.nextCursor ?? null };
});

/** True when AI Ops accepted something signed with this key: a check, or a recent delivery. */
async function secretProven(settings: GlobalSettings | undefined): Promise<boolean> {
  if (!settings?.secret) return false;
  if (settings.secret.provenAt) return true;
  const recent = await listAllRuns(100);
  return recent.runs.some((run) => run.keyFingerprint === settings.secret!.fingerprint && run.executionId !== undefined);
}

resolver.define('save', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const input = (payload ?? {}) as Record<string, unknown>;
  const stored = await loadGlobalSettings();
  const validated = validateGlobalSettings(input.settings, validationContext(), stored);
  const errors: FieldError[] = validated.ok ? [] : [...validated.errors];
  const newSecret = typeof input.secret === 'string' && input.secret.length > 0 ? input.secret : undefined;
  const encoding = validated.ok ? validated.value.keyEncoding : 'base64';
  if (newSecret) {
    const problem = secretProblem(newSecret, encoding);
    if (problem) errors.push(fieldError('secret', problem));
  } else if (!stored?.secret) {
    errors.push(fieldError('secret', { key: 'validation.secretRequired' }));
  } else if (validated.ok && stored.keyEncoding !== encoding) {
    // The stored secret must still decode under a changed key encoding.
    const problem = secretProblem((await readSecret({ kind: 'global' }, 'current')) ?? '', encoding);
    if (problem) errors.push(fieldError('keyEncoding', { key: 'validation.storedSecretEncoding', params: { encoding, problem } }));
  }
  const statusAuth = typeof input.statusAuthValue === 'string' && input.statusAuthValue.length > 0 ? input.statusAuthValue : undefined;
  if (!validated.ok || errors.length > 0) return { ok: false, errors: wordErrors(errors, await readerT(payload)) };

  let next: GlobalSettings = validated.value;
  let secretChange: 'unchanged' | 'replaced' | 'rotating' | 'none' = 'none';
  if (newSecret) {
    const proven = await secretProven(stored);
    const rotated = rotateSecret({ ...next, secret: stored?.secret && proven ? { ...stored.secret, provenAt: stored.secret.provenAt ?? new Date().toISOString() } : stored?.secret }, keyFingerprint(secretToKey(newSecret, encoding)), Date.now());
    secretChange = rotated.change;
    next = rotated.settings;
    if (rotated.change === 'rotating') {
      const previous = await readSecret({ kind: 'global' }, 'current');
      if (previous) await writeSecret({ kind: 'global' }, 'previous', previous);
    } else if (rotated.change === 'replaced' && stored?.previousSecret) {
      await deleteSecret({ kind: 'global' }, 'previous');
    }
    if (rotated.change !== 'unchanged') await writeSecret({ kind: 'global' }, 'current', newSecret);
  }
  if (statusAuth) await writeSecret({ kind: 'global' }, 'status-auth', statusAuth);
  await rememberAccounts([next.resultAccount?.accountId]);
  await saveGlobalSettings(next);
  return { ok: true, secretChange, view: await adminView(await readerT(payload)) };
});

resolver.define('endSecretGrace', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const stored = await loadGlobalSettings();
  if (stored?.previousSecret) {
    await deleteSecret({ kind: 'global' }, 'previous');
    await saveGlobalSettings({ ...stored, previousSecret: undefined });
  }
  return { ok: true, view: await adminView(await readerT(payload)) };
});

resolver.define('checkConnection', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const t = await readerT(payload);
  const settings = await loadGlobalSettings();
  if (!settings) return { ok: false, steps: [{ step: 'health', ok: false, title: t('check.notConfigured.title'), detail: t('check.notConfigured.detail') }] };
  const check = await checkConnection(settings, t);
  const agentOk = check.steps.find((step) => step.step === 'agent')?.ok;
  if (agentOk && settings.secret && !settings.secret.provenAt) {
    // Re-read right before writing: only the proof is added to whatever is stored now.
    const latest = await loadGlobalSettings();
    if (latest?.secret?.fingerprint === settings.secret.fingerprint) await saveGlobalSettings({ ...latest, secret: { ...latest.secret, provenAt: new Date().toISOString() } });
  }
  return check;
});

/** Sends a real issue through the whole pipeline as a test; `testStatus` follows it. */
resolver.define('sendTestIssue', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  return startTestDelivery((payload as { issueKey?: unknown } | undefined)?.issueKey, ctx.accountId!, await readerT(payload));
});

resolver.define('testStatus', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  return testDeliveryStatus((payload as { deliveryId?: unknown } | undefined)?.deliveryId, await readerT(payload));
});

/** The first-deploy self-check: every platform assumption that can only be verified on a real site. */
resolver.define('diagnose', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  return runDiagnose((payload as { issueKey?: unknown } | undefined)?.issueKey, await readerT(payload));
});

/** Bulk runs across the site: redeliver failed runs, or send existing tickets (any project). */
resolver.define('bulkPreview', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return previewBulk(input.kind, input.filter, { accountId: ctx.accountId! }, await readerT(payload));
});

resolver.define('bulkStart', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return startBulk(input.kind, input.filter, { accountId: ctx.accountId! }, await readerT(payload));
});

resolver.define('bulkControl', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { id?: unknown; action?: unknown };
  return controlBulk(input.id, input.action, { accountId: ctx.accountId! });
});

/**
 * Deletes everything the app stored on this site (secrets, settings, runs and the issue property
 * each left on its issue), in the background; the admin types DELETE to confirm.
 */
resolver.define('purgeData', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  if ((payload as { confirm?: unknown } | undefined)?.confirm !== 'DELETE') return { started: false, reason: (await readerT(payload))('admin.deleteConfirm') };
  await enqueue({ kind: 'purge' });
  return { started: true };
});

resolver.define('bulkList', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  return listBulkRuns({ accountId: ctx.accountId! });
});

export const adminResolver = resolver.getDefinitions();
