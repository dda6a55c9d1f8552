/**
 * Resolvers of the project settings page. Every one checks, first, that the caller administers the
 * project Forge says the page is shown in; the browser never names the project.
 */
import { issueLinkTypes } from '../forge/jira-actions';
import { runSummary } from '../core/panel-view';
import { wordInsights } from '../core/reason-words';
import { secretProblem } from '../core/settings';
import { fieldError, validateProjectSettings, wordErrors, type FieldError } from '../core/settings-validation';
import { keyFingerprint, secretToKey } from '../core/signing';
import { issueMatchesJql, projectIssueTypes, projectPriorities } from '../forge/jira-adapter';
import { getRun, listProjectRuns } from '../forge/run-store';
import { deleteSecret, loadGlobalSettings, loadProjectSettings, saveProjectSettings, writeSecret } from '../forge/settings-store';
import { readInsights, runsWithReason } from './outcome-counters';
import type { Translate } from '../core/i18n';
import { licensedResolver, reasonOf, projectFromContext, requirePermission, ResolverError, type ForgeResolverContext, readerT } from './resolver-context';
const bulkRuns = () => import(/* webpackChunkName: "bulk-runs" */ './bulk-runs');
import { startAskedRun } from './asked-start';
import { wordReason } from '../core/reason-words';
import { say } from '../core/i18n';

const resolver = licensedResolver();

async function requireProjectAdmin(context: unknown) {
  const ctx = context as ForgeResolverContext;
  const project = projectFromContext(ctx);
  await requirePermission('ADMINISTER_PROJECTS', { projectId: project.projectId });
  return { ...project, accountId: ctx.accountId! };
}

const cursorOf = (payload: unknown) => {
  const cursor = (payload as { cursor?: unknown } | undefined)?.cursor;
  return typeof cursor === 'string' && cursor.length > 0 && cursor.length < 2000 ? cursor : undefined;
};

async function projectView(projectId: string, t: Translate) {
  const [settings, global, issueTypes, page, insights, linkTypes] = await Promise.all([
    loadProjectSettings(projectId),
    loadGlobalSettings(),
    projectIssueTypes(projectId),
    listProjectRuns(projectId, 25),
    readInsights(projectId),
    issueLinkTypes(),
  ]);
  const priorities = await projectPriorities(projectId, issueTypes.map((type) => type.id));
  return {
    settings,
    connectionConfigured: Boolean(global?.secret),
    defaults: global ? { agentId: global.agentId, tenantId: global.tenantId } : null,
    issueTypes,
    priorities,
    linkTypes,
    deliveries: page.runs.map((run) => runSummary(run, t)),
    deliveriesCursor: page.nextCursor ?? null,
    insights: wordInsights(insights, t),
  };
}

resolver.define('load', async ({ payload, context }) => {
  const { projectId } = await requireProjectAdmin(context);
  return projectView(projectId, await readerT(payload));
});

/** The next page of this project's deliveries, newest first; or those that ended for one reason. */
resolver.define('deliveries', async ({ payload, context }) => {
  const { projectId } = await requireProjectAdmin(context);
  const reason = reasonOf(payload);
  const t = await readerT(payload);
  if (reason) return { deliveries: (await runsWithReason(reason, projectId)).map((run) => runSummary(run, t)), deliveriesCursor: null, reason };
  const page = await listProjectRuns(projectId, 25, cursorOf(payload));
  return { deliveries: page.runs.map((run) => runSummary(run, t)), deliveriesCursor: page.nextCursor ?? null };
});

resolver.define('save', async ({ payload, context }) => {
  const { projectId, projectKey } = await requireProjectAdmin(context);
  const input = (payload ?? {}) as Record<string, unknown>;
  const stored = await loadProjectSettings(projectId);
  const validated = validateProjectSettings(input.settings, stored);
  const errors: FieldError[] = validated.ok ? [] : [...validated.errors];
  const global = await loadGlobalSettings();
  const newSecret = typeof input.secret === 'string' && input.secret.length > 0 ? input.secret : undefined;
  if (newSecret) {
    const problem = secretProblem(newSecret, global?.keyEncoding ?? 'base64');
    if (problem) errors.push(fieldError('secret', problem));
  }
  // The link type must be one the site has: "Link as related" would fail later otherwise.
  if (validated.ok && validated.value.linkType !== stored.linkType) {
    const types = await issueLinkTypes();
    if (types.length > 0 && !types.includes(validated.value.linkType)) errors.push(fieldError('linkType', { key: 'validation.linkType', params: { type: validated.value.linkType, types: types.join(', ') } }));
  }
  // Jira checks the JQL even when another field is wrong, so every error shows on one save.
  const jql = typeof (input.settings as { jql?: unknown } | undefined)?.jql === 'string' ? ((input.settings as { jql: string }).jql).trim() : '';
  if (jql && !errors.some((e) => e.field === 'jql')) {
    const check = await issueMatchesJql('0', jql);
    // Jira words the problem itself; the app words only its own part.
    if (!check.ok) {
      const jiraSays = /^the JQL condition is invalid: (.*)$/s.exec(check.reason)?.[1];
      errors.push(jiraSays !== undefined ? fieldError('jql', { key: 'validation.jqlInvalid', params: { problem: jiraSays } }) : { field: 'jql', message: check.reason });
    }
  }
  if (!validated.ok || errors.length > 0) return { ok: false, errors: wordErrors(errors, await readerT(payload)) };

  let next = { ...validated.value, projectKey };
  if (newSecret) {
    await writeSecret({ kind: 'project', projectId }, 'current', newSecret);
    next = { ...next, secret: { fingerprint: keyFingerprint(secretToKey(newSecret, global?.keyEncoding ?? 'base64')), setAt: new Date().toISOString() } };
  } else if (input.clearSecret === true && stored.secret) {
    await deleteSecret({ kind: 'project', projectId }, 'current');
    next = { ...next, secret: undefined };
  }
  await saveProjectSettings(projectId, next);
  return { ok: true, view: await projectView(projectId, await readerT(payload)) };
});

resolver.define('redeliver', async ({ payload, context }) => {
  const { projectId, accountId } = await requireProjectAdmin(context);
  const { issueId, deliveryId, override } = (payload ?? {}) as { issueId?: unknown; deliveryId?: unknown; override?: unknown };
  if (typeof issueId !== 'string' || typeof deliveryId !== 'string') throw new ResolverError(400, 'issueId and deliveryId are required');
  // Checked against the project from the context: a delivery of another project is simply not found.
  const stored = await getRun(deliveryId);
  if (!stored || stored.run.projectId !== projectId || stored.run.issueId !== issueId) throw new ResolverError(404, 'no such delivery in this project');
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(projectId)]);
  const { issueKey, projectKey } = stored.run;
  const t = await readerT(payload);
  const result = await startAskedRun({
    target: { issueId, issueKey, projectId, projectKey },
    trigger: 'redeliver',
    discriminator: `redeliver-${Date.now()}`,
    requestedBy: accountId,
    global,
    project,
    override: override === true,
  });
  if ('refused' in result) return { started: false, reason: say(t, result.refused), ...(result.exclusion ? { exclusion: { why: say(t, result.exclusion.why), overridable: result.exclusion.overridable } } : {}) };
  if (result.started) return { started: true, deliveryId: result.run.deliveryId };
  if (result.queued) return { started: true, deliveryId: result.run.deliveryId, note: wordReason(result.reason, t) };
  return { started: false, reason: wordReason(result.reason, t) };
});

/** Bulk runs in this project only: the project comes from Forge's context, never from the page. */
resolver.define('bulkPreview', async ({ payload, context }) => {
  const { projectId, accountId } = await requireProjectAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return (await bulkRuns()).previewBulk(input.kind, input.filter, { projectId, accountId }, await readerT(payload));
});

resolver.define('bulkStart', async ({ payload, context }) => {
  const { projectId, accountId } = await requireProjectAdmin(context);
  const input = (payload ?? {}) as { kind?: unknown; filter?: unknown };
  return (await bulkRuns()).startBulk(input.kind, input.filter, { projectId, accountId }, await readerT(payload));
});

resolver.define('bulkControl', async ({ payload, context }) => {
  const { projectId, accountId } = await requireProjectAdmin(context);
  const input = (payload ?? {}) as { id?: unknown; action?: unknown };
  return (await bulkRuns()).controlBulk(input.id, input.action, { projectId, accountId });
});

resolver.define('bulkList', async ({ payload, context }) => {
  const { projectId, accountId } = await requireProjectAdmin(context);
  return (await bulkRuns()).listBulkRuns({ projectId, accountId });
});

export const projectResolver = resolver.getDefinitions();
