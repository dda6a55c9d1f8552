/** Resolvers of the issue panel: `load` (one call draws the panel), `runAgain` and `cancel`. */
import { decideEligibility } from '../core/eligibility';
import { endRun, isCommentResult } from '../core/enhancement';
import { inEnglish } from '../core/english';
import { wordReason } from '../core/reason-words';
import { say } from '../core/i18n';
import { panelView, sentence, type Audience, type CommentRead } from '../core/panel-view';
import { readCommentAsUser, readIssueAsApp, userPermissions } from '../forge/jira-adapter';
import { appPageUrls, issueChannel, panelRealtimeToken } from '../forge/platform';
import { publishChange } from '../forge/run-publisher';
import { getRun, listAllRuns, listIssueRuns } from '../forge/run-store';
import { secretStreak } from '../core/secret-streak';
import { effectiveSettings } from '../core/settings';
const lookups = () => import(/* webpackChunkName: "aiops-lookup" */ './aiops-lookup');
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { licensedResolver, issueFromContext, ResolverError, type ForgeResolverContext, readerT } from './resolver-context';
import { rememberAccounts } from './account-book';
import { projectExclusion, startAskedRun } from './asked-start';

// Past results stay readable while the licence is not active; nothing can be started.
const resolver = licensedResolver(['load']);

resolver.define('load', async (request) => {
  const { payload, context } = request;
  const licenceInactive = (request as { licenceInactive?: boolean }).licenceInactive === true;
  const ctx = context as ForgeResolverContext;
  const issue = issueFromContext(ctx);
  const held = await userPermissions(['BROWSE_PROJECTS', 'EDIT_ISSUES', 'ADMINISTER_PROJECTS', 'ADMINISTER', 'LINK_ISSUES', 'ADD_COMMENTS'], { issueId: issue.issueId });
  if (!held.has('BROWSE_PROJECTS')) throw new ResolverError(403, 'you cannot see this issue');
  // One realtime token per open panel while it is valid: the panel says until when its token holds,
  // and a new one is signed only when it has none or it expires within ten minutes (docs "limits-realtime").
  const validUntil = Date.parse(String((payload as { tokenValidUntil?: unknown } | undefined)?.tokenValidUntil ?? ''));
  const needToken = !(validUntil > Date.now() + 10 * 60_000);
  const [runs, project, global, signed] = await Promise.all([
    listIssueRuns(issue.issueId),
    loadProjectSettings(issue.projectId),
    loadGlobalSettings(),
    needToken ? panelRealtimeToken(issue.issueId).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  // Nothing ran: why not, as the project's filters say now (the same rule Send now applies).
  let eligibility = decideEligibility(project, { kind: 'manual', issueType: issue.issueType, labels: [], changedFields: [] });
  if (runs.length === 0 && project.enabled) {
    const read = await readIssueAsApp(issue.issueId);
    if (read.kind === 'found') {
      const f = read.issue.fields;
      eligibility = await projectExclusion(project, {
        issueId: issue.issueId,
        issueType: { id: f.issuetype?.id ?? issue.issueType.id, name: f.issuetype?.name ?? issue.issueType.name },
        priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : undefined,
        labels: f.labels ?? [],
      });
    }
  }
  // Result comments are read as this user, so a comment they may not see stays hidden.
  const comments: Record<string, CommentRead> = {};
  const shown = [runs[0], runs.find((run) => run.status === 'completed')];
  for (const run of shown) {
    if (!run || !isCommentResult(run.result) || run.result.deleted || comments[run.result.commentId]) continue;
    const read = await readCommentAsUser(run.issueId, run.result.commentId);
    comments[run.result.commentId] = read ? { visible: true, body: read.body, authorName: read.authorName, created: read.created, updated: read.updated } : { visible: false };
  }
  const words = await readerT(payload);
  const reader = { accountId: ctx.accountId };
  const audience: Audience = held.has('ADMINISTER') ? 'jira-admin' : held.has('ADMINISTER_PROJECTS') ? 'project-admin' : 'member';
  const siteUrl = (ctx as { siteUrl?: string }).siteUrl;
  const pages = audience === 'member' ? {} : appPageUrls(siteUrl, issue.projectKey);
  const view = panelView({
    issueKey: issue.issueKey,
    runs,
    eligibility,
    canRunAgain: held.has('EDIT_ISSUES') && project.enabled && !licenceInactive,
    canConfigure: held.has('ADMINISTER_PROJECTS'),
    canOverride: held.has('ADMINISTER_PROJECTS') && held.has('EDIT_ISSUES') && !licenceInactive,
    audience,
    channel: issueChannel(issue.issueId),
    realtimeToken: signed?.token,
    nowMs: Date.now(),
    siteUrl,
    comments,
    lookupEnabled: global?.aiopsLookup === true,
    reader,
    ...(licenceInactive ? {} : { may: { apply: held.has('EDIT_ISSUES'), link: held.has('LINK_ISSUES'), reply: held.has('ADD_COMMENTS') } }),
  }, words);
  // A Jira admin reading a run AI Ops refused with 401: did the secret stop working, and for how many runs?
  const newest = runs[0];
  const streak =
    audience === 'jira-admin' && newest?.status === 'failed' && newest.httpStatus === 401 && newest.secretScope?.kind !== 'project'
      ? secretStreak((await listAllRuns(100)).runs.filter((run) => run.secretScope?.kind !== 'project'), global?.secret?.provenAt)
      : undefined;
  return {
    ...view,
    ...(signed?.expiresAt ? { realtimeTokenExpiresAt: signed.expiresAt } : {}),
    canCancel: held.has('EDIT_ISSUES') && !licenceInactive,
    reader: ctx.accountId,
    ...(streak ? { secretStopped: { since: streak.since, count: streak.count } } : {}),
    ...(licenceInactive ? { readOnly: (await readerT(payload))('licence.readOnly') } : {}),
    links: { adminPage: audience === 'jira-admin' ? pages.adminPage : undefined, projectSettings: pages.projectSettings },
  };
});

resolver.define('runAgain', async ({ payload, context }) => {
  const ctx = context as ForgeResolverContext;
  const issue = issueFromContext(ctx);
  const held = await userPermissions(['EDIT_ISSUES', 'ADMINISTER_PROJECTS'], { issueId: issue.issueId });
  if (!held.has('EDIT_ISSUES')) throw new ResolverError(403, 'only users who can edit this issue can run the Ticket Enhancer again');
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(issue.projectId)]);
  if (!project.enabled) throw new ResolverError(409, 'the Ticket Enhancer is not enabled for this project');
  const { issueId, issueKey, projectId, projectKey } = issue;
  // Only a project admin may send past the project's own filters, and only when they asked to.
  const override = (payload as { override?: unknown } | undefined)?.override === true && held.has('ADMINISTER_PROJECTS');
  const result = await startAskedRun({ target: { issueId, issueKey, projectId, projectKey }, trigger: 'rerun', discriminator: `rerun-${Date.now()}`, requestedBy: ctx.accountId, global, project, override });
  const t = await readerT(payload);
  if ('refused' in result) {
    return {
      started: false,
      reason: say(t, result.refused),
      ...(result.exclusion ? { exclusion: { why: say(t, result.exclusion.why), overridable: result.exclusion.overridable && held.has('ADMINISTER_PROJECTS') } } : {}),
    };
  }
  if (result.started) return { started: true, deliveryId: result.run.deliveryId };
  const worded = wordReason(result.reason, t);
  if (result.queued) return { started: true, deliveryId: result.run.deliveryId, note: worded };
  return { started: false, reason: worded };
});

/** Stops a run that is still waiting to be sent (users who can edit the issue). */
resolver.define('cancel', async ({ payload, context }) => {
  const ctx = context as ForgeResolverContext;
  const issue = issueFromContext(ctx);
  const held = await userPermissions(['EDIT_ISSUES'], { issueId: issue.issueId });
  if (!held.has('EDIT_ISSUES')) throw new ResolverError(403, 'only users who can edit this issue can cancel a run');
  const deliveryId = (payload as { deliveryId?: unknown } | undefined)?.deliveryId;
  if (typeof deliveryId !== 'string') throw new ResolverError(400, 'deliveryId is required');
  const stored = await getRun(deliveryId);
  // Looked up under the issue from the context: another issue's run is simply not found.
  if (!stored || stored.run.issueId !== issue.issueId) throw new ResolverError(404, 'no such run on this issue');
  await rememberAccounts([ctx.accountId]);
  const cancelled = await publishChange(deliveryId, (run) =>
    ['queued', 'retrying', 'waiting'].includes(run.status) ? { ...endRun(run, 'cancelled', inEnglish({ key: 'reason.cancelled' }), Date.now(), 'user'), requestedBy: ctx.accountId } : undefined,
  );
  if (!cancelled) throw new ResolverError(409, 'this run was already sent or has ended; only a run waiting to be sent can be cancelled');
  return { cancelled: true };
});

/**
 * "Check at AI Ops" (Jira admins, with the lookup turned on): looks the issue's newest run up in
 * AI Ops' execution records now. The run is the issue's from the context, never one the browser
 * names; at most ten requests of at most two seconds each, inside the resolver's 25 s.
 */
resolver.define('checkAtAiops', async ({ payload, context }) => {
  const ctx = context as ForgeResolverContext;
  const issue = issueFromContext(ctx);
  const held = await userPermissions(['ADMINISTER'], { issueId: issue.issueId });
  if (!held.has('ADMINISTER')) throw new ResolverError(403, 'only Jira admins can look runs up at AI Ops');
  const [global, project, runs] = await Promise.all([loadGlobalSettings(), loadProjectSettings(issue.projectId), listIssueRuns(issue.issueId, 1)]);
  if (!global?.aiopsLookup) throw new ResolverError(409, 'looking runs up at AI Ops is turned off on the admin page');
  const run = runs[0];
  if (!run || !['accepted', 'running', 'timed-out'].includes(run.status)) throw new ResolverError(409, 'the newest run of this issue is not waiting for a result');
  const connection = effectiveSettings(global, project, issue.projectId);
  if (!connection.ok) throw new ResolverError(409, connection.reason);
  const { outcome, saved } = await (await lookups()).lookUpAndRecord(run, connection.settings, Date.now(), { timeoutCapMs: 2_000 });
  const t = await readerT(payload);
  const detail = outcome.note.detail ? sentence(outcome.note.detail) : '';
  return {
    found: outcome.note.found,
    text: t(`result.lookup.${outcome.note.found}`, { n: outcome.note.attempts ?? 0, detail }).trim(),
    status: saved?.run.status ?? run.status,
  };
});

// Actions on a result (loaded on demand): each is authorized on the issue in Forge's context and
// the user's own permissions there; the run they name must be a completed run of that issue.
const actions = () => import(/* webpackChunkName: "result-actions" */ './result-actions');
type ActionName = 'resultExtrasFor' | 'linkIssue' | 'applySuggestion' | 'dismissSuggestion' | 'askReporter' | 'giveFeedback';
const ACTIONS: Record<string, ActionName> = {
  resultExtras: 'resultExtrasFor',
  linkIssue: 'linkIssue',
  applySuggestion: 'applySuggestion',
  dismissSuggestion: 'dismissSuggestion',
  askReporter: 'askReporter',
  feedback: 'giveFeedback',
};
for (const [key, name] of Object.entries(ACTIONS)) {
  resolver.define(key, async ({ payload, context }) => {
    const ctx = context as ForgeResolverContext;
    const issue = issueFromContext(ctx);
    const held = await userPermissions(['BROWSE_PROJECTS', 'EDIT_ISSUES', 'LINK_ISSUES', 'ADD_COMMENTS'], { issueId: issue.issueId });
    if (!held.has('BROWSE_PROJECTS')) throw new ResolverError(403, 'you cannot see this issue');
    const run = (await actions())[name];
    return run(payload ?? {}, { issueId: issue.issueId, issueKey: issue.issueKey, projectId: issue.projectId, accountId: ctx.accountId!, held, t: await readerT(payload) });
  });
}

export const panelResolver = resolver.getDefinitions();
