import { isCommentResult, type CommentResult, type DeliveryRun } from './enhancement';

/**
 * Results that come back as a Jira comment: the AI Ops platform's agent analyses the ticket and
 * posts its Markdown analysis as a comment, signed in to Jira as the platform's own account
 * (AIOPS-CONTRACT "How results come back today"). Which run a comment completes is decided here.
 */

/** The comment facts the app uses, from `avi:jira:commented:issue` / `avi:jira:deleted:comment`. */
export interface CommentFacts {
  commentId: string;
  authorAccountId?: string;
  authorName?: string;
  created?: string;
  updated?: string;
}

/** Issue property statuses after which no comment can matter, unless it is the result comment itself. */
const SETTLED = new Set(['completed', 'failed', 'skipped', 'cancelled', 'superseded', 'not-sent']);

/** Whether a comment event may concern a run, judged from the issue property alone (no storage read). */
export function commentMayMatter(property: { status?: string; resultCommentId?: string } | undefined, commentId: string): boolean {
  if (!property?.status) return false;
  if (property.resultCommentId === commentId) return true;
  return !SETTLED.has(property.status);
}

const WAITING_FOR_RESULT = new Set(['accepted', 'running', 'timed-out']);

export type CommentDecision =
  | { kind: 'ignore' }
  /** The comment that produced a result was edited (or deleted): update that run's result. */
  | { kind: 'update'; run: DeliveryRun; result: CommentResult }
  /** The AI Ops account commented after AI Ops accepted this run: it is the run's result. */
  | { kind: 'complete'; run: DeliveryRun; result: CommentResult; supersede: DeliveryRun[] };

/**
 * Which run a new or edited comment completes. Only a comment by the account the AI Ops platform
 * comments as counts, only on a run AI Ops accepted before the comment was written, and with two
 * runs waiting the newest accepted one takes it (the older ones are superseded).
 * `account` is the configured account, for runs accepted before it was set.
 */
export function decideOnComment(runs: DeliveryRun[], comment: CommentFacts, account: string | undefined): CommentDecision {
  const producing = runs.find((run) => isCommentResult(run.result) && run.result.commentId === comment.commentId);
  if (producing && isCommentResult(producing.result)) {
    return { kind: 'update', run: producing, result: { ...producing.result, updated: comment.updated ?? producing.result.updated, deleted: false } };
  }
  if (!comment.authorAccountId) return { kind: 'ignore' };
  const writtenAt = Date.parse(comment.created ?? '') || Date.now();
  const candidates = runs
    .filter((run) => WAITING_FOR_RESULT.has(run.status) && run.acceptedAt)
    .filter((run) => (run.resultAccount?.accountId ?? account) === comment.authorAccountId)
    .filter((run) => Date.parse(run.acceptedAt!) <= writtenAt)
    .sort((a, b) => Date.parse(b.acceptedAt!) - Date.parse(a.acceptedAt!));
  const [target, ...older] = candidates;
  if (!target) return { kind: 'ignore' };
  // Comment events carry only the author's account id; the configured account has its name.
  const authorName = comment.authorName ?? (target.resultAccount?.accountId === comment.authorAccountId ? target.resultAccount.displayName : undefined);
  return {
    kind: 'complete',
    run: target,
    result: {
      kind: 'comment',
      commentId: comment.commentId,
      authorAccountId: comment.authorAccountId,
      ...(authorName ? { authorName } : {}),
      created: comment.created ?? new Date(writtenAt).toISOString(),
      ...(comment.updated && comment.updated !== comment.created ? { updated: comment.updated } : {}),
    },
    supersede: older.filter((run) => run.status === 'accepted' || run.status === 'running'),
  };
}

/** A deleted comment: the run it completed stays completed and says the comment was deleted. */
export function decideOnDeletedComment(runs: DeliveryRun[], commentId: string): CommentDecision {
  const producing = runs.find((run) => isCommentResult(run.result) && run.result.commentId === commentId);
  if (!producing || !isCommentResult(producing.result)) return { kind: 'ignore' };
  return { kind: 'update', run: producing, result: { ...producing.result, deleted: true } };
}

/** The time-out reason of comment mode names the account the app waited for. */
export function commentTimeoutReason(run: DeliveryRun, limitMinutes: number, account?: { accountId: string; displayName?: string }): string {
  const who = account ? `${account.displayName ?? 'the account'} (${account.accountId})` : undefined;
  if (!who) return `no AI Ops comment arrived within ${limitMinutes} minutes, and no AI Ops Jira account is set on the app's admin page, so none could be recognised`;
  return `no comment by ${who} arrived within ${limitMinutes} minutes of AI Ops accepting the ticket (execution ${run.executionId ?? 'unknown'})`;
}
