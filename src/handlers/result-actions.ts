/**
 * The panel's actions on a result, loaded on demand: issue cards for the issues the analysis names
 * and "Link as related"; suggestions applied, edited then applied, or dismissed; a reply asking
 * the reporter for what is missing; "was it helpful". Every action names the run, which must be a
 * completed run of the issue in Forge's context; it is done as the user (Jira applies their
 * permissions) and recorded in the run's history. The queue's result jobs forward feedback to AI
 * Ops and apply (or report) suggested labels for projects that turned that on.
 */
import { SUGGESTION_FIELDS, suggestionsIn, type SuggestionField, type Suggestions } from '../core/analysis';
import type { ResultJob } from '../core/delivery-job';
import { FEEDBACK_KEPT, isCommentResult, recordAction, type DeliveryRun } from '../core/enhancement';
import type { Translate } from '../core/i18n';
import { countAction } from './action-counters';
import { postJson } from '../forge/aiops-adapter';
import { readCommentAsApp, readIssueAsApp, projectIssueTypes, projectPriorities } from '../forge/jira-adapter';
import { addCommentAsUser, editIssueAsUser, issueCardAsUser, issueLinkTypes, linkIssuesAsUser, projectComponents, readIssueForActions, type IssueForActions } from '../forge/jira-actions';
import { enqueue } from '../forge/platform';
import { publishChange } from '../forge/run-publisher';
import { getRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { rememberAccounts } from './account-book';
import { ResolverError } from './resolver-context';

export interface ActionContext {
  issueId: string;
  issueKey: string;
  projectId: string;
  accountId: string;
  /** The user's permissions on the issue. */
  held: Set<string>;
  t: Translate;
}

const text = (value: unknown, max: number): string | undefined => (typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined);

/** The run the browser names, only if it is a completed run of this issue. */
async function completedRun(payload: unknown, ctx: ActionContext): Promise<DeliveryRun> {
  const deliveryId = text((payload as { deliveryId?: unknown } | undefined)?.deliveryId, 200);
  if (!deliveryId) throw new ResolverError(400, 'deliveryId is required');
  const stored = await getRun(deliveryId);
  if (!stored || stored.run.issueId !== ctx.issueId) throw new ResolverError(404, 'no such run on this issue');
  if (stored.run.status !== 'completed') throw new ResolverError(409, 'this run has no result to act on');
  return stored.run;
}

function need(ctx: ActionContext, permission: string, what: string): void {
  if (!ctx.held.has(permission)) throw new ResolverError(403, `you need the ${permission} permission to ${what}`);
}

/** The run's suggestions: its comment's block (read as the app: the run may be older than the viewer's access), or the callback's. */
async function suggestionsOf(run: DeliveryRun): Promise<Suggestions | undefined> {
  if (isCommentResult(run.result)) {
    const comment = await readCommentAsApp(run.issueId, run.result.commentId);
    return comment?.body ? suggestionsIn(comment.body) : undefined;
  }
  return typeof run.result === 'string' ? (suggestionsIn(run.result) ?? run.suggestions) : run.suggestions;
}

/** What the project allows, to tell an applicable suggestion from one that is not. */
async function allowed(projectId: string, issue: IssueForActions) {
  const [types, components] = await Promise.all([projectIssueTypes(projectId), projectComponents(projectId)]);
  const priorities = await projectPriorities(projectId, [issue.fields.issuetype?.id ?? types[0]?.id].filter((id): id is string => Boolean(id)));
  return { types, components, priorities };
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export interface SuggestionCheck {
  field: SuggestionField;
  /** The values Jira would take (by the project's own names). */
  applicable: string[];
  /** Suggested values the project does not have. */
  notApplicable: string[];
  /** What the issue holds now, in words. */
  current: string[];
}

function check(field: SuggestionField, values: string[], issue: IssueForActions, project: Awaited<ReturnType<typeof allowed>>): SuggestionCheck {
  const match = (options: Array<{ name: string }>) => {
    const applicable = values.flatMap((v) => options.filter((o) => same(o.name, v)).map((o) => o.name));
    return { applicable, notApplicable: values.filter((v) => !options.some((o) => same(o.name, v))) };
  };
  switch (field) {
    case 'labels': {
      const ok = values.filter((v) => !/\s/.test(v));
      return { field, applicable: ok, notApplicable: values.filter((v) => /\s/.test(v)), current: issue.fields.labels ?? [] };
    }
    case 'priority':
      return { field, ...match(project.priorities), current: issue.fields.priority?.name ? [issue.fields.priority.name] : [] };
    case 'components':
      return { field, ...match(project.components), current: (issue.fields.components ?? []).map((c) => c.name) };
    default:
      return { field, ...match(project.types), current: issue.fields.issuetype?.name ? [issue.fields.issuetype.name] : [] };
  }
}

/**
 * Cards for the issues the analysis names (read as the viewer: an issue they may not browse is not
 * shown), whether each is linked already, and each suggestion checked against the project.
 */
export async function resultExtrasFor(payload: unknown, ctx: ActionContext) {
  const run = await completedRun(payload, ctx);
  const keys = (Array.isArray((payload as { similar?: unknown }).similar) ? ((payload as { similar: unknown[] }).similar as unknown[]) : [])
    .filter((k): k is string => typeof k === 'string' && /^[A-Z][A-Z0-9_]{1,9}-\d{1,9}$/.test(k))
    .slice(0, 10);
  const issue = await readIssueForActions(ctx.issueId);
  if (!issue) throw new ResolverError(404, 'you cannot see this issue');
  const linked = new Set((issue.fields.issuelinks ?? []).flatMap((l) => [l.inwardIssue?.key, l.outwardIssue?.key]).filter((k): k is string => Boolean(k)));
  const cards = (await Promise.all(keys.map((key) => issueCardAsUser(key)))).filter((card): card is NonNullable<typeof card> => Boolean(card));
  const suggestions = await suggestionsOf(run);
  const project = suggestions ? await allowed(ctx.projectId, issue) : undefined;
  const checks = project ? SUGGESTION_FIELDS.flatMap((field) => (suggestions?.[field] === undefined ? [] : [check(field, ([] as string[]).concat(suggestions[field] as string | string[]), issue, project)])) : [];
  if (suggestions && !run.suggestionsCounted) {
    await countAction(run, 'offered', checks.length);
    await publishChange(run.deliveryId, (current) => (current.suggestionsCounted ? undefined : { ...current, suggestionsCounted: true }), undefined, { mirror: false });
  }
  const settings = await loadProjectSettings(ctx.projectId);
  return {
    cards: cards.map((card) => ({ ...card, linked: linked.has(card.key) })),
    linkType: settings.linkType,
    checks,
    reporter: issue.fields.reporter?.displayName,
    serviceDesk: issue.fields.project?.projectTypeKey === 'service_desk',
  };
}

/** "Link as related": the project's link type, as the user; a link that exists is not made twice. */
export async function linkIssue(payload: unknown, ctx: ActionContext) {
  need(ctx, 'LINK_ISSUES', 'link issues');
  const run = await completedRun(payload, ctx);
  const key = text((payload as { key?: unknown }).key, 30);
  if (!key || !/^[A-Z][A-Z0-9_]{1,9}-\d{1,9}$/.test(key)) throw new ResolverError(400, 'key must be an issue key such as DEMO-12');
  if (key === ctx.issueKey) throw new ResolverError(400, 'an issue is not linked to itself');
  const issue = await readIssueForActions(ctx.issueId);
  if (!issue) throw new ResolverError(404, 'you cannot see this issue');
  if ((issue.fields.issuelinks ?? []).some((l) => l.inwardIssue?.key === key || l.outwardIssue?.key === key)) return { linked: true, already: true };
  const { linkType } = await loadProjectSettings(ctx.projectId);
  const types = await issueLinkTypes();
  if (!types.includes(linkType)) throw new ResolverError(409, ctx.t('suggest.noLinkType', { type: linkType }));
  const done = await linkIssuesAsUser(linkType, ctx.issueKey, key);
  if (!done.ok) throw new ResolverError(done.status === 404 ? 404 : 409, ctx.t('suggest.linkFailed', { key, problem: done.message }));
  await rememberAccounts([ctx.accountId]);
  await publishChange(run.deliveryId, (current) => recordAction(current, { kind: 'linked', target: key, value: linkType, by: ctx.accountId, at: new Date().toISOString() }), undefined, { mirror: false });
  return { linked: true };
}

/**
 * Applies one suggestion as the user. Labels and components are added, never removed; priority and
 * issue type replace what the issue has, so a different value already there needs `replace: true`
 * (the panel asks first). Values the project does not have are refused by name.
 */
export async function applySuggestion(payload: unknown, ctx: ActionContext) {
  need(ctx, 'EDIT_ISSUES', 'change this issue');
  const run = await completedRun(payload, ctx);
  const input = payload as { field?: unknown; values?: unknown; replace?: unknown };
  const field = SUGGESTION_FIELDS.find((f) => f === input.field);
  if (!field) throw new ResolverError(400, `field must be one of ${SUGGESTION_FIELDS.join(', ')}`);
  const values = (Array.isArray(input.values) ? input.values : [input.values]).map((v) => text(v, 255)).filter((v): v is string => Boolean(v)).slice(0, 20);
  if (values.length === 0) throw new ResolverError(400, 'values must hold at least one value');
  if ((field === 'priority' || field === 'issuetype') && values.length > 1) throw new ResolverError(400, `${field} takes one value`);
  const issue = await readIssueForActions(ctx.issueId);
  if (!issue) throw new ResolverError(404, 'you cannot see this issue');
  const checked = check(field, values, issue, await allowed(ctx.projectId, issue));
  if (checked.notApplicable.length > 0) return { applied: false, notApplicable: checked.notApplicable, text: ctx.t('suggest.notApplicable', { values: checked.notApplicable.join(', ') }) };
  let body: { fields?: Record<string, unknown>; update?: Record<string, unknown> };
  let replaced: string | undefined;
  if (field === 'labels' || field === 'components') {
    const fresh = checked.applicable.filter((v) => !checked.current.some((c) => same(c, v)));
    if (fresh.length === 0) return { applied: true, already: true, text: ctx.t('suggest.alreadyThere') };
    body = { update: { [field]: fresh.map((v) => ({ add: field === 'labels' ? v : { name: v } })) } };
  } else {
    const [value] = checked.applicable;
    const current = checked.current[0];
    if (current && same(current, value)) return { applied: true, already: true, text: ctx.t('suggest.alreadyThere') };
    if (current && input.replace !== true) return { applied: false, needsConfirm: true, current, text: ctx.t('suggest.confirmReplace', { field: ctx.t(`suggest.field.${field}`), current, value }) };
    replaced = current;
    body = { fields: { [field]: { name: value } } };
  }
  const done = await editIssueAsUser(ctx.issueId, body);
  if (!done.ok) throw new ResolverError(done.status === 403 ? 403 : 409, ctx.t('suggest.applyFailed', { problem: done.message }));
  await rememberAccounts([ctx.accountId]);
  const value = checked.applicable.join(', ');
  await publishChange(run.deliveryId, (current) => recordAction(current, { kind: 'applied', target: field, value, ...(replaced ? { replaced } : {}), by: ctx.accountId, at: new Date().toISOString() }), undefined, { mirror: false });
  await countAction(run, 'applied', 1);
  return { applied: true };
}

export async function dismissSuggestion(payload: unknown, ctx: ActionContext) {
  need(ctx, 'EDIT_ISSUES', 'dismiss a suggestion');
  const run = await completedRun(payload, ctx);
  const field = SUGGESTION_FIELDS.find((f) => f === (payload as { field?: unknown }).field);
  if (!field) throw new ResolverError(400, `field must be one of ${SUGGESTION_FIELDS.join(', ')}`);
  await rememberAccounts([ctx.accountId]);
  await publishChange(run.deliveryId, (current) => recordAction(current, { kind: 'dismissed', target: field, by: ctx.accountId, at: new Date().toISOString() }), undefined, { mirror: false });
  return { dismissed: true };
}

/** The reply as ADF: a mention of the reporter (on Jira), then the text the agent edited, one paragraph a block. */
function replyDocument(textBody: string, reporter: { accountId?: string; displayName?: string } | null | undefined, mention: boolean) {
  const paragraphs = textBody.split(/\n{2,}/).map((block) => ({
    type: 'paragraph',
    content: block.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]),
  }));
  if (mention && reporter?.accountId) {
    const first = paragraphs[0] ?? { type: 'paragraph', content: [] };
    first.content = [{ type: 'mention', attrs: { id: reporter.accountId, text: `@${reporter.displayName ?? 'reporter'}` } } as never, { type: 'text', text: ' ' }, ...first.content];
    if (!paragraphs[0]) paragraphs.push(first);
  }
  return { type: 'doc', version: 1, content: paragraphs };
}

/**
 * Asks the reporter: on a service request a reply the customer sees, or an internal note; on Jira
 * a comment mentioning the reporter. Posted as the user, with the text they edited.
 */
export async function askReporter(payload: unknown, ctx: ActionContext) {
  need(ctx, 'ADD_COMMENTS', 'comment on this issue');
  const run = await completedRun(payload, ctx);
  const body = text((payload as { text?: unknown }).text, 30_000);
  if (!body) throw new ResolverError(400, 'the reply is empty');
  const issue = await readIssueForActions(ctx.issueId);
  if (!issue) throw new ResolverError(404, 'you cannot see this issue');
  const serviceDesk = issue.fields.project?.projectTypeKey === 'service_desk';
  const internal = serviceDesk && (payload as { internal?: unknown }).internal === true;
  const done = await addCommentAsUser(ctx.issueId, replyDocument(body, issue.fields.reporter, !serviceDesk), internal);
  if (!done.ok) throw new ResolverError(done.status === 403 ? 403 : 409, ctx.t('ask.failed', { problem: done.message }));
  await rememberAccounts([ctx.accountId]);
  const kind = serviceDesk ? (internal ? 'internalNote' : 'customerReply') : 'comment';
  await publishChange(run.deliveryId, (current) => recordAction(current, { kind: 'replied', target: ctx.t(`ask.kind.${kind}`), by: ctx.accountId, at: new Date().toISOString() }), undefined, { mirror: false });
  return { posted: true, kind };
}

/** "Was it helpful?": one vote per person, changeable, or taken back (`helpful: null`). */
export async function giveFeedback(payload: unknown, ctx: ActionContext) {
  need(ctx, 'EDIT_ISSUES', 'rate this result');
  const run = await completedRun(payload, ctx);
  const raw = (payload as { helpful?: unknown }).helpful;
  if (raw !== true && raw !== false && raw !== null) throw new ResolverError(400, 'helpful must be true, false or null');
  const reason = text((payload as { reason?: unknown }).reason, 500);
  const before = run.feedback?.[ctx.accountId];
  const at = new Date().toISOString();
  const saved = await publishChange(
    run.deliveryId,
    (current) => {
      const feedback = { ...(current.feedback ?? {}) };
      if (raw === null) delete feedback[ctx.accountId];
      else feedback[ctx.accountId] = { helpful: raw, ...(reason ? { reason } : {}), at };
      // Room for the newest voices: the oldest votes go first.
      const kept = Object.entries(feedback).sort((a, b) => (a[1].at < b[1].at ? 1 : -1)).slice(0, FEEDBACK_KEPT);
      return { ...current, feedback: Object.fromEntries(kept), updatedAt: at };
    },
    undefined,
    { mirror: false },
  );
  if (!saved) throw new ResolverError(409, 'the feedback could not be saved; try again');
  await rememberAccounts([ctx.accountId]);
  if (before) await countAction(run, before.helpful ? 'helpful' : 'notHelpful', -1);
  if (raw !== null) await countAction(run, raw ? 'helpful' : 'notHelpful', 1);
  const global = await loadGlobalSettings();
  // Forwarded from the queue: AI Ops being slow or down never holds the panel.
  if (global?.forwardFeedback && raw !== null) await enqueue({ kind: 'feedback', deliveryId: run.deliveryId, accountId: ctx.accountId }).catch(() => undefined);
  return { saved: true };
}

/** Queue work on results: feedback to AI Ops, labels a project applies (or reports) by itself. */
export async function runResultJob(job: ResultJob): Promise<undefined> {
  const stored = await getRun(job.deliveryId);
  if (!stored || stored.run.status !== 'completed') return undefined;
  if (job.kind === 'feedback') await forwardFeedback(stored.run, job.accountId);
  else await autoApplyLabels(stored.run);
  return undefined;
}

/** `POST {base}/api/v1/feedback/` (AIOPS-CONTRACT "Feedback"): the vote and its reason, no personal data. */
async function forwardFeedback(run: DeliveryRun, accountId: string | undefined): Promise<void> {
  const global = await loadGlobalSettings();
  const vote = accountId ? run.feedback?.[accountId] : undefined;
  if (!global?.forwardFeedback || !vote) return;
  const project = await loadProjectSettings(run.projectId);
  const body = {
    tenant_id: project.tenantId ?? global.tenantId,
    ticket_id: run.issueKey,
    feedback_type: vote.helpful ? 'thumbs_up' : 'thumbs_down',
    ...(vote.reason ? { feedback_comment: vote.reason } : {}),
  };
  const answer = await postJson(`${global.aiopsBaseUrl}/api/v1/feedback/`, body, Math.min(global.requestTimeoutSeconds * 1000, 10_000));
  const ok = answer.kind === 'response' && answer.status >= 200 && answer.status < 300;
  await publishChange(run.deliveryId, (current) => ({ ...current, feedbackForwarded: { at: new Date().toISOString(), ok, ...(ok ? {} : { detail: answer.kind === 'response' ? `AI Ops answered ${answer.status}` : answer.kind }) } }), undefined, { mirror: false });
}

/**
 * A project's auto-apply: suggested labels at or above its confidence threshold are added as the
 * app ('on'), or only reported in the run's history ('dry-run'). Labels are only ever added.
 */
async function autoApplyLabels(run: DeliveryRun): Promise<void> {
  // The project's choice as it was when AI Ops accepted the run, so a later change applies to later runs.
  const auto = run.autoApply;
  if (!auto || run.actions?.some((a) => a.kind === 'auto-applied' || a.kind === 'would-apply')) return;
  const suggestions = await suggestionsOf(run);
  if (!suggestions?.labels?.length || (suggestions.confidence ?? 0) < auto.threshold) return;
  const read = await readIssueAsApp(run.issueId);
  if (read.kind !== 'found') return;
  const current = ((read.issue.fields as { labels?: string[] }).labels ?? []).map((l) => l.toLowerCase());
  const fresh = suggestions.labels.filter((label) => !/\s/.test(label) && !current.includes(label.toLowerCase()));
  if (fresh.length === 0) return;
  const at = new Date().toISOString();
  const value = fresh.join(', ');
  if (auto.mode === 'dry-run') {
    await publishChange(run.deliveryId, (c) => recordAction(c, { kind: 'would-apply', target: 'labels', value, at }), undefined, { mirror: false });
    return;
  }
  const { editIssueAsApp } = await import(/* webpackMode: "eager" */ '../forge/jira-adapter');
  if (!(await editIssueAsApp(run.issueId, { update: { labels: fresh.map((label) => ({ add: label })) } }))) return;
  await publishChange(run.deliveryId, (c) => recordAction(c, { kind: 'auto-applied', target: 'labels', value, at }), undefined, { mirror: false });
  await countAction(run, 'applied', 1);
}
