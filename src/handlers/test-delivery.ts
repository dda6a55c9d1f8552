/**
 * "Send test issue": a real issue the admin names goes through the whole pipeline (queue, signing,
 * POST, result path) as a run marked "test". The page then follows it for up to a minute: in
 * comment mode it waits for the AI Ops account's comment and, when none comes or no account is set,
 * names who did comment so the admin can pick the right account.
 */
import { isCommentResult } from '../core/enhancement';
import { runSummary, sentence } from '../core/panel-view';
import { latestComments, readIssueAsUser } from '../forge/jira-adapter';
import { getRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { ResolverError } from './resolver-context';
import { startDelivery } from './start-delivery';

/** How long the page waits for a result before it reports what it saw. */
export const TEST_WAIT_MS = 60_000;

const ISSUE_KEY = /^[A-Z][A-Z0-9_]{0,49}-\d{1,12}$/i;

export async function startTestDelivery(issueKey: unknown, accountId: string) {
  if (typeof issueKey !== 'string' || !ISSUE_KEY.test(issueKey.trim())) {
    return { started: false, reason: 'Enter the key of an issue to send, such as DEMO-12.' };
  }
  const issue = await readIssueAsUser(issueKey.trim());
  if (!issue) return { started: false, reason: `There is no issue ${issueKey.trim().toUpperCase()} that you can see.` };
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(issue.projectId)]);
  if (!global) return { started: false, reason: 'Save the AI Ops connection first.' };
  const result = await startDelivery({ issueId: issue.id, issueKey: issue.key, projectId: issue.projectId, projectKey: issue.projectKey }, 'test', `test-${Date.now()}`, global, project, {
    requestedBy: accountId,
    concurrencyLimit: global.deliveryConcurrency,
  });
  if (!result.started && !result.queued) return { started: false, reason: sentence(result.reason) };
  return { started: true, deliveryId: result.run!.deliveryId, issueKey: issue.key, resultMode: global.resultMode };
}

export interface TestStatus {
  done: boolean;
  ok?: boolean;
  title: string;
  detail: string;
  run: ReturnType<typeof runSummary>;
  /** Comment mode: an account that commented after AI Ops accepted the test (to choose it). */
  suggestedAccount?: { accountId: string; displayName?: string };
  link?: string;
}

export async function testDeliveryStatus(deliveryId: unknown): Promise<TestStatus> {
  if (typeof deliveryId !== 'string') throw new ResolverError(400, 'deliveryId is required');
  const stored = await getRun(deliveryId);
  if (!stored || stored.run.trigger !== 'test') throw new ResolverError(404, 'no such test delivery');
  const { run } = stored;
  const summary = runSummary(run);
  const global = await loadGlobalSettings();
  const account = run.resultAccount ?? global?.resultAccount;
  const who = account ? `${account.displayName ?? 'the AI Ops account'} (${account.accountId})` : undefined;
  if (run.status === 'completed') {
    const detail = isCommentResult(run.result)
      ? `${run.result.authorName ?? who ?? 'The AI Ops account'} commented on ${run.issueKey} at ${run.result.created}: the whole path works, results will show in the issue panel.`
      : `AI Ops sent the result back for ${run.issueKey}: the whole path works.`;
    return { done: true, ok: true, title: 'Result received', detail, run: summary };
  }
  if (['failed', 'timed-out', 'skipped', 'cancelled'].includes(run.status)) {
    return { done: true, ok: false, title: summary.label, detail: summary.reason ?? 'No reason was given.', run: summary };
  }
  const since = Date.parse(run.acceptedAt ?? run.createdAt);
  const waited = Date.now() - since;
  if (run.status !== 'accepted' && run.status !== 'running') {
    const done = waited > TEST_WAIT_MS;
    return { done, ok: false, title: done ? 'Not sent yet' : 'Sending…', detail: done ? `The test is still ${summary.label.toLowerCase()} after a minute: ${summary.reason ?? 'no answer yet'}` : 'The test issue is on its way to AI Ops.', run: summary };
  }
  if ((run.resultMode ?? global?.resultMode) !== 'comment') {
    const done = waited > TEST_WAIT_MS;
    return {
      done,
      ok: done ? false : undefined,
      title: done ? 'No result within a minute' : 'Accepted; waiting for the result…',
      detail: done
        ? `AI Ops accepted the test (execution ${run.executionId}) but sent no result within a minute. The run keeps waiting until its time limit.`
        : `AI Ops accepted the test (execution ${run.executionId}).`,
      run: summary,
    };
  }
  // Comment mode: who commented on the test issue since AI Ops accepted it?
  const comments = (await latestComments(run.issueId, 10)).filter((comment) => Date.parse(comment.created ?? '') >= since);
  const other = comments.find((comment) => comment.authorAccountId && comment.authorAccountId !== account?.accountId);
  const suggestedAccount = other?.authorAccountId ? { accountId: other.authorAccountId, displayName: other.authorName } : undefined;
  if (!account) {
    return {
      done: suggestedAccount !== undefined || waited > TEST_WAIT_MS,
      ok: false,
      title: 'No AI Ops Jira account is set',
      detail: suggestedAccount
        ? `${suggestedAccount.displayName ?? suggestedAccount.accountId} commented on ${run.issueKey} after AI Ops accepted the test. If that is the account your AI Ops Jira tool uses, choose it as the AI Ops Jira account and save.`
        : `AI Ops accepted the test, but no AI Ops Jira account is set, so its comment cannot be recognised. Choose the account whose API token your AI Ops Jira tool uses.`,
      run: summary,
      suggestedAccount,
    };
  }
  if (waited <= TEST_WAIT_MS) return { done: false, title: `Waiting for a comment by ${who}…`, detail: `AI Ops accepted the test (execution ${run.executionId}).`, run: summary };
  return {
    done: true,
    ok: false,
    title: 'No comment within a minute',
    detail: suggestedAccount
      ? `No comment by ${who} arrived on ${run.issueKey} within a minute, but ${suggestedAccount.displayName ?? suggestedAccount.accountId} commented. Is that the account your AI Ops Jira tool uses?`
      : `No comment by ${who} arrived on ${run.issueKey} within a minute of AI Ops accepting it. The agent may still be working (the run waits until its time limit), or its Jira tool uses another account.`,
    run: summary,
    suggestedAccount,
  };
}
