/** Resolvers of the Jira admin page. Every one checks, first, that the caller is a Jira admin. */
import { runSummary } from '../core/panel-view';
import { wordInsights } from '../core/reason-words';
import { rotateSecret, secretProblem, type GlobalSettings } from '../core/settings';
import type { AdminHealth } from '../core/site-health';
import { fieldError, validateGlobalSettings, wordErrors, type FieldError } from '../core/settings-validation';
import { keyFingerprint, secretToKey } from '../core/signing';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import { appPageUrls, callbackBaseUrl, enqueue } from '../forge/platform';
import type { Translate } from '../core/i18n';
import { hasOpenRuns, listAllRuns, listRunsByStatus } from '../forge/run-store';
import { isFinished } from '../core/enhancement';
import { secretStreak } from '../core/secret-streak';
import { deleteSecret, listProjectSettings, loadGlobalSettings, readSecret, saveGlobalSettings, writeSecret } from '../forge/settings-store';
import { listProjects, projectInfo } from '../forge/jira-adapter';
const bulkRuns = () => import(/* webpackChunkName: "bulk-runs" */ './bulk-runs');
import { checkConnection, probeCredentials } from './connection-check';
import { readStorageStats } from './data-lifecycle';
import { readInsights, runsWithReason } from './outcome-counters';
import { rememberAccounts } from './account-book';
import { licensedResolver, reasonOf, ResolverError, requirePermission, type ForgeResolverContext, readerT } from './resolver-context';
const testDelivery = () => import(/* webpackChunkName: "test-delivery" */ './test-delivery');
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

/** What the page's header sums up: configured, proven, failing now, failures in the last day. */
async function adminHealth(settings: GlobalSettings | undefined): Promise<AdminHealth> {
  const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
  const [failed, open, recent] = await Promise.all([listRunsByStatus('failed', {}, since, 100), hasOpenRuns(), listAllRuns(100)]);
  const newestFinished = recent.runs.find((run) => isFinished(run.status) && run.status !== 'superseded');
  const failing =
    newestFinished?.status === 'failed' && newestFinished.failureCause === 'configuration' && newestFinished.finishedAt
      ? { at: newestFinished.finishedAt, httpStatus: newestFinished.httpStatus, reason: newestFinished.reason ?? '' }
      : undefined;
  // Project secrets are the project admins' business: the site's streak counts runs signed with the site's secret.
  const streak = secretStreak(recent.runs.filter((run) => run.secretScope?.kind !== 'project'), settings?.secret?.provenAt);
  return {
    configured: Boolean(settings?.secret),
    provenAt: settings?.secret?.provenAt,
    failing,
    failedLastDay: failed.runs.length,
    openRuns: open ? 1 : 0,
    ...(streak ? { secretStreak: streak, streakSecretUnchanged: Boolean(streak.fingerprint && streak.fingerprint === settings?.secret?.fingerprint) } : {}),
  };
}

async function adminView(t: Translate, cursor?: string, siteUrl?: string) {
  const [settings, stored, jiraProjects, page, callbackUrl, storage, insights] = await Promise.all([
    loadGlobalSettings(),
    listProjectSettings(),
    listProjects(100),
    listAllRuns(25, cursor),
    callbackBaseUrl(),
    readStorageStats(),
    readInsights(),
  ]);
  const byId = new Map(stored.map((entry) => [entry.projectId, entry.settings]));
  // Every project of the site, each with its state and a link to its settings page.
  const ids = [...new Set([...jiraProjects.map((p) => p.id), ...byId.keys()])];
  const projects = await Promise.all(
    ids.slice(0, 100).map(async (projectId) => {
      const p = byId.get(projectId);
      const known = jiraProjects.find((j) => j.id === projectId) ?? (await projectInfo(projectId));
      const projectKey = known?.key ?? p?.projectKey ?? projectId;
      return {
        projectId,
        projectKey,
        projectName: known?.name,
        enabled: Boolean(p?.enabled),
        configured: p !== undefined,
        events: p?.events ?? { created: true, updated: false },
        overrides: Boolean(p?.agentId || p?.tenantId || p?.secret),
        settingsUrl: appPageUrls(siteUrl, projectKey).projectSettings,
      };
    }),
  );
  return {
    settings: settings ?? null,
    callbackUrl,
    statusAuthConfigured: settings?.statusAuthHeaderName ? Boolean(await readSecret({ kind: 'global' }, 'status-auth')) : false,
    projects: projects.sort((a, b) => Number(b.enabled) - Number(a.enabled) || a.projectKey.localeCompare(b.projectKey)),
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
    health: await adminHealth(settings),
  };
}

const siteOf = (context: unknown) => (context as { siteUrl?: string }).siteUrl;

resolver.define('load', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  return adminView(await readerT(payload), undefined, siteOf(context));
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
  let newSecretProven = false;
  if (newSecret && stored?.secret?.fingerprint !== keyFingerprint(secretToKey(newSecret, encoding))) {
    // A new secret is tried with a signed probe before it replaces the one in use: a secret AI Ops
    // refuses is not saved unless the admin says to (AI Ops may be unreachable, or not yet updated).
    const probe = await probeCredentials(validated.value, secretToKey(newSecret, encoding), await readerT(payload));
    if (probe.kind === 'secretMismatch' && input.saveAnyway !== true) return { ok: false, secretRefused: { title: probe.title, detail: probe.detail }, errors: [] };
    newSecretProven = probe.ok;
  }
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
    if (newSecretProven && next.secret) next = { ...next, secret: { ...next.secret, provenAt: new Date().toISOString() } };
  }
  if (statusAuth) await writeSecret({ kind: 'global' }, 'status-auth', statusAuth);
  await rememberAccounts([next.resultAccount?.accountId]);
  await saveGlobalSettings(next);
  return { ok: true, secretChange, view: await adminView(await readerT(payload), undefined, siteOf(context)) };
});

resolver.define('endSecretGrace', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const stored = await loadGlobalSettings();
  if (stored?.previousSecret) {
    await deleteSecret({ kind: 'global' }, 'previous');
    await saveGlobalSettings({ ...stored, previousSecret: undefined });
  }
  return { ok: true, view: await adminView(await readerT(payload), undefined, siteOf(context)) };
});

/** Goes back to the previous secret while it is in its grace period (the new one was a mistake). */
resolver.define('revertSecret', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const stored = await loadGlobalSettings();
  const previous = stored?.previousSecret && Date.parse(stored.previousSecret.until) > Date.now() ? await readSecret({ kind: 'global' }, 'previous') : undefined;
  if (!stored?.previousSecret || !previous) throw new ResolverError(409, 'there is no previous secret to go back to');
  const { until: _until, ...info } = stored.previousSecret;
  await writeSecret({ kind: 'global' }, 'current', previous);
  await deleteSecret({ kind: 'global' }, 'previous');
  await saveGlobalSettings({ ...stored, secret: info, previousSecret: undefined });
  return { ok: true, view: await adminView(await readerT(payload), undefined, siteOf(context)) };
});

resolver.define('checkConnection', async ({ payload, context }) => {
  await requireJiraAdmin(context);
  const t = await readerT(payload);
  const settings = await loadGlobalSettings();
  if (!settings) return { ok: false, steps: [{ step: 'health', ok: false, title: t('check.notConfigured.title'), detail: t('check.notConfigured.detail') }] };
  const check = await checkConnection(settings, t);
  const agentOk = check.steps.find((step) => step.step === 'agent')?.ok;
  let latest = settings;
  if (agentOk && settings.secret && !settings.secret.provenAt) {
    // Re-read right before writing: only the proof is added to whatever is stored now.
    const now = await loadGlobalSettings();
    if (now?.secret?.fingerprint === settings.secret.fingerprint) {
      latest = { ...now, secret: { ...now.secret, provenAt: new Date().toISOString() } };
      await saveGlobalSettings(latest);
    }
  }
  // The page's status line follows what the check found.
  return { ...check, health: await adminHealth(latest) };
});

/** Sends a real issue through the whole pipeline as a test; `testStatus` follows it. */
resolver.define('sendTestIssue', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { issueKey?: unknown; createIn?: unknown };
  const t = await readerT(payload);
  return input.createIn !== undefined ? (await testDelivery()).startTestInNewIssue(input.createIn, ctx.accountId!, t) : (await testDelivery()).startTestDelivery(input.issueKey, ctx.accountId!, t);
});

resolver.define('testStatus', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  return (await testDelivery()).testDeliveryStatus((payload as { deliveryId?: unknown } | undefined)?.deliveryId, await readerT(payload));
});

/** The first-deploy self-check: every platform assumption that can only be verified on a real site. */
resolver.define('diagnose', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  // Diagnose runs once per setup: its code loads only when asked for.
  const { runDiagnose } = await import(/* webpackChunkName: "diagnose" */ './diagnose');
  return runDiagnose((payload as { issueKey?: unknown } | undefined)?.issueKey, await readerT(payload));
});

/** Bulk runs across the site: redeliver failed runs, or send existing tickets (any project). */
resolver.define('bulkPreview', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return (await bulkRuns()).previewBulk(input.kind, input.filter, { accountId: ctx.accountId! }, await readerT(payload));
});

resolver.define('bulkStart', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return (await bulkRuns()).startBulk(input.kind, input.filter, { accountId: ctx.accountId! }, await readerT(payload));
});

resolver.define('bulkControl', async ({ payload, context }) => {
  const ctx = await requireJiraAdmin(context);
  const input = (payload ?? {}) as { id?: unknown; action?: unknown };
  return (await bulkRuns()).controlBulk(input.id, input.action, { accountId: ctx.accountId! });
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
  return (await bulkRuns()).listBulkRuns({ accountId: ctx.accountId! });
});

export const adminResolver = resolver.getDefinitions();
