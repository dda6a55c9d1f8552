/**
 * `avi:jira:commented:issue` (created and edited) and `avi:jira:deleted:comment`: the AI Ops
 * platform's agent posts its analysis as a comment; this trigger records that comment as the
 * result of the run AI Ops accepted. The manifest's filter lets through only comments on an issue
 * whose newest run is open, and edits or deletions of a result comment (from the issue property,
 * as stored a few seconds earlier); the property is read again here, fresh, before anything else.
 */
import { commentMayMatter, decideOnComment, decideOnDeletedComment, type CommentDecision, type CommentFacts } from '../core/comment-result';
import { adfToPlainText } from '../core/adf-text';
import { applyResult, noteExtraComment, supersede } from '../core/enhancement';
import type { InvocationError } from '@forge/events';
import { readCommentAsApp, readIssueProperty } from '../forge/jira-adapter';
import { retryWhenJiraAnswers } from './jira-backoff';
import { publishChange } from '../forge/run-publisher';
import { listIssueRunsStored } from '../forge/run-store';
import { loadGlobalSettings } from '../forge/settings-store';
import { enqueue } from '../forge/platform';
import { suggestionsIn } from '../core/analysis';

/** Docs "events-reference/jira", comment events: `issue`, `comment` (id, author, body, created, updated). */
interface CommentEvent {
  eventType?: string;
  issue?: { id?: string; key?: string };
  comment?: { id?: string | number; author?: { accountId?: string; displayName?: string }; body?: unknown; created?: string; updated?: string };
}

export async function onCommentEvent(event: CommentEvent): Promise<InvocationError | undefined> {
  const issueId = event.issue?.id ? String(event.issue.id) : undefined;
  const commentId = event.comment?.id !== undefined ? String(event.comment.id) : undefined;
  if (!issueId || !commentId) return undefined;
  try {
    const property = await readIssueProperty(issueId);
    if (!commentMayMatter(property, commentId, event.comment?.author?.accountId)) return undefined;
    await recordComment(issueId, commentId, event);
    return undefined;
  } catch (error) {
    // Jira is rate limiting or failing: ask the platform for this event again (up to four times,
    // docs "Retry Atlassian app events"); a run still waiting is also checked at its deadline.
    return retryWhenJiraAnswers(error);
  }
}

/**
 * Records what a comment means for the issue's runs, decided from the runs in storage only: the
 * issue property (which anyone who can edit the issue can write) is never read here, so the
 * scheduled check, which calls this directly at a run's deadline, cannot be misled by it.
 */
export async function recordComment(issueId: string, commentId: string, event: CommentEvent): Promise<void> {
  const stored = await listIssueRunsStored(issueId, 10);
  const runs = stored.map((entry) => entry.run);
  const known = (deliveryId: string) => stored.find((entry) => entry.run.deliveryId === deliveryId);
  let decision: CommentDecision;
  if (event.eventType === 'avi:jira:deleted:comment') {
    decision = decideOnDeletedComment(runs, commentId);
  } else {
    const facts: CommentFacts = {
      commentId,
      authorAccountId: event.comment?.author?.accountId,
      authorName: event.comment?.author?.displayName,
      created: event.comment?.created,
      updated: event.comment?.updated,
      text: adfToPlainText(event.comment?.body),
    };
    // Runs accepted before the account was set wait for the account set now.
    const needsAccount = runs.some((run) => ['accepted', 'running', 'timed-out'].includes(run.status) && !run.resultAccount);
    const account = needsAccount ? (await loadGlobalSettings())?.resultAccount?.accountId : undefined;
    decision = decideOnComment(runs, facts, account);
  }
  if (decision.kind === 'ignore') return;
  const now = Date.now();
  if (decision.kind === 'note') {
    const extra = decision.extra;
    await publishChange(decision.run.deliveryId, (current) => noteExtraComment(current, extra, now), known(decision.run.deliveryId), { mirror: false });
    return;
  }
  let result = decision.result;
  // On a service request, a comment made through the platform API reaches customers unless made internal.
  if (decision.kind === 'complete' && decision.run.serviceDesk) {
    const read = await readCommentAsApp(issueId, commentId).catch(() => undefined);
    if (read?.jsdPublic === true) result = { ...result, customerVisible: true };
  }
  const matchedBy = decision.kind === 'complete' ? decision.matchedBy : undefined;
  const completed = await publishChange(
    decision.run.deliveryId,
    (current) => {
      const next = applyResult(current, { status: 'completed', result }, now, 'comment');
      return next && matchedBy ? { ...next, matchedBy } : next;
    },
    known(decision.run.deliveryId),
  );
  if (decision.kind === 'complete' && completed) {
    for (const older of decision.supersede) {
      await publishChange(older.deliveryId, (current) => supersede(current, decision.run.deliveryId, now), known(older.deliveryId), { mirror: false });
    }
    // Suggested labels a project applies (or reports) by itself: from the queue, off this trigger's path.
    if (completed.run.autoApply && suggestionsIn(event.comment?.body)?.labels?.length) await startAutoApply(completed.run);
  }
}

/** Queues the project's auto-apply of suggested labels (the run says whether the project turned it on). */
export async function startAutoApply(run: { deliveryId: string; autoApply?: unknown }): Promise<void> {
  if (!run.autoApply) return;
  await enqueue({ kind: 'auto-apply', deliveryId: run.deliveryId }).catch(() => undefined);
}
