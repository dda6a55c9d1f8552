/**
 * Resolvers of the project settings page. Every one checks, first, that the caller administers the
 * project Forge says the page is shown in; the browser never names the project.
 */
import Resolver from '@forge/resolver';
import { runSummary } from '../core/panel-view';
import { secretProblem, validateProjectSettings, type FieldError } from '../core/settings';
import { keyFingerprint, secretToKey } from '../core/signing';
import { issueMatchesJql, projectIssueTypes, priorities } from '../forge/jira-adapter';
import { getRun, listProjectRuns } from '../forge/run-store';
import { deleteSecret, loadGlobalSettings, loadProjectSettings, saveProjectSettings, writeSecret } from '../forge/settings-store';
import { projectFromContext, requirePermission, ResolverError, type ForgeResolverContext } from './resolver-context';
import { startDelivery } from './start-delivery';

const resolver = new Resolver();

async function requireProjectAdmin(context: unknown) {
  const project = projectFromContext(context as ForgeResolverContext);
  await requirePermission('ADMINISTER_PROJECTS', { projectId: project.projectId });
  return project;
}

async function projectView(projectId: string) {
  const [settings, global, issueTypes, priorityList, runs] = await Promise.all([
    loadProjectSettings(projectId),
    loadGlobalSettings(),
    projectIssueTypes(projectId),
    priorities(),
    listProjectRuns(projectId, 50),
  ]);
  return {
    settings,
    connectionConfigured: Boolean(global?.secret),
    defaults: global ? { agentId: global.agentId, tenantId: global.tenantId } : null,
    issueTypes,
    priorities: priorityList,
    deliveries: runs.map(runSummary),
  };
}

resolver.define('load', async ({ context }) => {
  const { projectId } = await requireProjectAdmin(context);
  return projectView(projectId);
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
    if (problem) errors.push({ field: 'secret', message: problem });
  }
  if (validated.ok && validated.value.jql) {
    // Jira checks the JQL; the sandbox and Jira both report syntax errors for an empty issue list.
    const check = await issueMatchesJql('0', validated.value.jql);
    if (!check.ok) errors.push({ field: 'jql', message: check.reason.replace(/^the JQL condition is invalid: /, 'JQL condition is invalid: ') });
  }
  if (!validated.ok || errors.length > 0) return { ok: false, errors };

  let next = { ...validated.value, projectKey };
  if (newSecret) {
    await writeSecret({ kind: 'project', projectId }, 'current', newSecret);
    next = { ...next, secret: { fingerprint: keyFingerprint(secretToKey(newSecret, global?.keyEncoding ?? 'base64')), setAt: new Date().toISOString() } };
  } else if (input.clearSecret === true && stored.secret) {
    await deleteSecret({ kind: 'project', projectId }, 'current');
    next = { ...next, secret: undefined };
  }
  await saveProjectSettings(projectId, next);
  return { ok: true, view: await projectView(projectId) };
});

resolver.define('redeliver', async ({ payload, context }) => {
  const { projectId } = await requireProjectAdmin(context);
  const { issueId, deliveryId } = (payload ?? {}) as { issueId?: unknown; deliveryId?: unknown };
  if (typeof issueId !== 'string' || typeof deliveryId !== 'string') throw new ResolverError(400, 'issueId and deliveryId are required');
  // Looked up under the project from the context: a delivery of another project is simply not found.
  const run = await getRun(projectId, issueId, deliveryId);
  if (!run) throw new ResolverError(404, 'no such delivery in this project');
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(projectId)]);
  const { issueKey, projectKey } = run;
  const result = await startDelivery({ issueId, issueKey, projectId, projectKey }, 'redeliver', `redeliver-${Date.now()}`, global, project);
  return result.started ? { started: true, deliveryId: result.run.deliveryId } : { started: false, reason: result.reason };
});

export const projectResolver = resolver.getDefinitions();
