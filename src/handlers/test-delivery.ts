/**
 * "Send test issue": a real issue the admin names goes through the whole pipeline (queue, signing,
 * POST, result path) as a run marked "test". The page then follows it for up to a minute: in
 * comment mode it waits for the AI Ops account's comment and, when none comes or no account is set,
 * names who did comment so the admin can pick the right account.
 */
import { isCommentResult } from '../core/enhancement';
import { say, type Translate } from '../core/i18n';
import { runSummary, sentence } from '../core/panel-view';
import { wordReason } from '../core/reason-words';
import { createIssueAsUser, latestComments, projectIssueTypes, readIssueAsUser, type CommentOnIssue } from '../forge/jira-adapter';
import { getRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings, loadSiteSettings } from '../forge/settings-store';
import { ResolverError } from './resolver-context';
import { startAskedRun } from './asked-start';

/** How long the page waits for a result before it reports what it saw. */
export const TEST_WAIT_MS = 60_000;

const ISSUE_KEY = /^[A-Z][A-Z0-9_]{0,49}-\d{1,12}$/i;

/** The summary of a test issue the app creates: says what it is and that it can go. */
export const TEST_ISSUE_SUMMARY = 'AI Ops Ticket Enhancer test (safe to delete)';

/**
 * Creates a clearly named test issue in an enabled project, as the admin (so Jira records who did),
 * and sends it. The project comes from the page but must be an enabled one of this site.
 */
export async function startTestInNewIssue(projectId: unknown, accountId: string, t: Translate) {
  const site = await loadSiteSettings();
  if (typeof projectId !== 'string' || !(await site.project(projectId))) return { started: false, reason: t('test.pickProject') };
  const [type] = await projectIssueTypes(projectId);
  if (!type) return { started: false, reason: t('test.cannotCreate', { problem: 'the project has no issue type the app can see' }) };
  const created = await createIssueAsUser({
    project: { id: projectId },
    issuetype: { id: type.id },
    summary: TEST_ISSUE_SUMMARY,
    description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Created by a Jira admin from the AI Ops Ticket Enhancer admin page to test the connection. The AI Ops agent will comment on it. It can be deleted afterwards.' }] }] },
  });
  if (!created.ok) return { started: false, reason: t('test.cannotCreate', { problem: created.reason }) };
  return startTestDelivery(created.key, accountId, t);
}

/** Worded with `t`, the reader's locale; a refusal from the pipeline keeps its English reason. */
export async function startTestDelivery(issueKey: unknown, accountId: string, t: Translate) {
  if (typeof issueKey !== 'string' || !ISSUE_KEY.test(issueKey.trim())) {
    return { started: false, reason: t('test.enterKey') };
  }
  const issue = await readIssueAsUser(issueKey.trim());
  if (!issue) return { started: false, reason: t('test.noIssue', { key: issueKey.trim().toUpperCase() }) };
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(issue.projectId)]);
  if (!global) return { started: false, reason: t('test.saveFirst') };
  const result = await startAskedRun({
    target: { issueId: issue.id, issueKey: issue.key, projectId: issue.projectId, projectKey: issue.projectKey },
    trigger: 'test',
    discriminator: `test-${Date.now()}`,
    requestedBy: accountId,
    global,
    project,
    skipFilters: true,
  });
  if ('refused' in result) return { started: false, reason: sentence(say(t, result.refused)) };
  if (!result.started && !result.queued) return { started: false, reason: sentence(wordReason(result.reason, t)) };
  return { started: true, deliveryId: result.run!.deliveryId, issueKey: issue.key, resultMode: global.resultMode };
}

export interface SuggestedAccount {
  accountId: string;
  displayName?: string;
  accountType?: string;
  emailAddress?: string;
}

/**
 * Who to suggest as the AI Ops account after a test: only when exactly one comment was written on
 * the issue after AI Ops accepted the test (the 202), and it is not the configured account's. Any
 * other case (no comment, several, one written before the 202) suggests nobody.
 */
export function suggestionFrom(comments: CommentOnIssue[], acceptedAtMs: number, configured: string | undefined): SuggestedAccount | undefined {
  const after = comments.filter((comment) => Date.parse(comment.created ?? '') >= acceptedAtMs);
  if (after.length !== 1) return undefined;
  const [only] = after;
  if (!only.authorAccountId || only.authorAccountId === configured) return undefined;
  return { accountId: only.authorAccountId, displayName: only.authorName, ...(only.authorType ? { accountType: only.authorType } : {}), ...(only.authorEmail ? { emailAddress: only.authorEmail } : {}) };
}

/** The suggested account in words: its name, what kind of account Jira says it is, its e-mail where shown. */
export function describeAccount(account: SuggestedAccount, t: Translate): string {
  const kind = ['atlassian', 'app', 'customer'].includes(account.accountType ?? '') ? account.accountType! : 'unknown';
  return t(`test.account.${kind}`, { name: account.displayName ?? account.accountId, email: account.emailAddress ? `, ${account.emailAddress}` : '' });
}

export interface TestStatus {
  done: boolean;
  ok?: boolean;
  title: string;
  detail: string;
  run: ReturnType<typeof runSummary>;
  /**
   * Comment mode: the one account that commented after AI Ops accepted the test, with what Jira
   * says of it, so the admin can judge before choosing it (a person's account is not a bot's).
   */
  suggestedAccount?: SuggestedAccount;
  /** The suggested account in the reader's words: name, kind of account, e-mail where shown. */
  suggestedAs?: string;
  /** When the result arrived (ISO), for the reader's own clock. */
  at?: string;
  link?: string;
}

export async function testDeliveryStatus(deliveryId: unknown, t: Translate): Promise<TestStatus> {
  if (typeof deliveryId !== 'string') throw new ResolverError(400, 'deliveryId is required');
  const stored = await getRun(deliveryId);
  if (!stored || stored.run.trigger !== 'test') throw new ResolverError(404, 'no such test delivery');
  const { run } = stored;
  const summary = runSummary(run, t);
  const global = await loadGlobalSettings();
  const account = run.resultAccount ?? global?.resultAccount;
  const who = account ? `${account.displayName ?? t('test.theAccount')} (${account.accountId})` : undefined;
  if (run.status === 'completed') {
    const detail = isCommentResult(run.result)
      ? t('test.received.comment', { author: run.result.authorName ?? who ?? t('test.theAccountStart'), issue: run.issueKey })
      : t('test.received.callback', { issue: run.issueKey });
    const at = isCommentResult(run.result) ? run.result.created : run.finishedAt;
    return { done: true, ok: true, title: t('test.received.title'), detail, run: summary, ...(at && !Number.isNaN(Date.parse(at)) ? { at: new Date(Date.parse(at)).toISOString() } : {}) };
  }
  if (['failed', 'timed-out', 'skipped', 'cancelled'].includes(run.status)) {
    return { done: true, ok: false, title: summary.label, detail: summary.reason ?? t('test.noReason'), run: summary };
  }
  const since = Date.parse(run.acceptedAt ?? run.createdAt);
  const waited = Date.now() - since;
  if (run.status !== 'accepted' && run.status !== 'running') {
    const done = waited > TEST_WAIT_MS;
    return {
      done,
      ok: false,
      title: t(done ? 'test.notSent.title' : 'test.sending.title'),
      detail: done ? t('test.notSent.detail', { status: summary.label.toLowerCase(), reason: summary.reason ?? t('test.noAnswerYet') }) : t('test.sending.detail'),
      run: summary,
    };
  }
  if ((run.resultMode ?? global?.resultMode) !== 'comment') {
    const done = waited > TEST_WAIT_MS;
    return {
      done,
      ok: done ? false : undefined,
      title: t(done ? 'test.noResult.title' : 'test.waiting.title'),
      detail: t(done ? 'test.noResult.detail' : 'test.accepted', { execution: run.executionId ?? '' }),
      run: summary,
    };
  }
  // Comment mode: who commented on the test issue since AI Ops accepted it (the 202)?
  const suggestedAccount = run.acceptedAt ? suggestionFrom(await latestComments(run.issueId, 10), Date.parse(run.acceptedAt), account?.accountId) : undefined;
  if (!account) {
    return {
      done: suggestedAccount !== undefined || waited > TEST_WAIT_MS,
      ok: false,
      title: t('test.noAccount.title'),
      detail: suggestedAccount
        ? t('test.noAccount.suggested', { name: describeAccount(suggestedAccount, t), issue: run.issueKey })
        : t('test.noAccount.detail'),
      run: summary,
      suggestedAccount,
      ...(suggestedAccount ? { suggestedAs: describeAccount(suggestedAccount, t) } : {}),
    };
  }
  if (waited <= TEST_WAIT_MS) return { done: false, title: t('test.waitingComment', { who: who! }), detail: t('test.accepted', { execution: run.executionId ?? '' }), run: summary };
  return {
    done: true,
    ok: false,
    title: t('test.noComment.title'),
    detail: suggestedAccount
      ? t('test.noComment.suggested', { who: who!, issue: run.issueKey, name: describeAccount(suggestedAccount, t) })
      : t('test.noComment.detail', { who: who!, issue: run.issueKey }),
    run: summary,
    suggestedAccount,
    ...(suggestedAccount ? { suggestedAs: describeAccount(suggestedAccount, t) } : {}),
  };
}
