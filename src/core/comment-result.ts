import { isCommentResult, type CommentResult, type DeliveryRun, type ExtraComment } from './enhancement';
import { markerNames, markersIn } from './run-marker';

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
  /** The comment's text (for its run marker). */
  text?: string;
}

/** Issue property statuses after which no comment can matter, unless it is the result comment itself. */
const SETTLED = new Set(['completed', 'failed', 'skipped', 'cancelled', 'superseded', 'not-sent']);

/**
 * Whether a comment event may concern a run, judged from the issue property alone (no storage read):
 * any comment while the newest run is open, an edit of the result comment, and any comment by the
 * account that wrote the result (the platform may comment twice).
 */
export function commentMayMatter(property: { status?: string; resultCommentId?: string; resultAuthorId?: string } | undefined, commentId: string, authorAccountId?: string): boolean {
  if (!property?.status) return false;
  if (property.resultCommentId === commentId) return true;
  if (authorAccountId && property.resultAuthorId === authorAccountId) return true;
  return !SETTLED.has(property.status);
}

const WAITING_FOR_RESULT = new Set(['accepted', 'running', 'timed-out']);

/**
 * How long after AI Ops accepted a run a second comment by its account is taken as a duplicate of
 * the run's result: the platform retries a whole agent run at most three times, about 20 minutes
 * in all (AIOPS-CONTRACT "How results come back today"); a later comment is someone's own.
 */
export const DUPLICATE_WINDOW_MS = 2 * 3_600_000;

export type CommentDecision =
  | { kind: 'ignore' }
  /** The comment that produced a result was edited (or deleted): update that run's result. */
  | { kind: 'update'; run: DeliveryRun; result: CommentResult }
  /** The AI Ops account commented after AI Ops accepted this run: it is the run's result. */
  | { kind: 'complete'; run: DeliveryRun; result: CommentResult; supersede: DeliveryRun[]; matchedBy: 'marker' | 'author-time' }
  /** A comment by the AI Ops account the run does not take (a second one, or one without its marker). */
  | { kind: 'note'; run: DeliveryRun; extra: ExtraComment };

/**
 * Which run a new or edited comment completes. Only a comment by the account the AI Ops platform
 * comments as counts, only on a run AI Ops accepted before the comment was written.
 * - A comment with a run marker completes exactly the run it names; a second one for a run that
 *   has its result is noted as a duplicate.
 * - Without a marker, the newest run waiting takes it (the older ones are superseded), unless the
 *   run expects a marker: then the comment is only noted. A comment after the run has its result,
 *   with no newer run waiting, is noted as a duplicate.
 * `account` is the configured account, for runs accepted before it was set.
 */
export function decideOnComment(runs: DeliveryRun[], comment: CommentFacts, account: string | undefined): CommentDecision {
  const producing = runs.find((run) => isCommentResult(run.result) && run.result.commentId === comment.commentId);
  if (producing && isCommentResult(producing.result)) {
    return { kind: 'update', run: producing, result: { ...producing.result, updated: comment.updated ?? producing.result.updated, deleted: false } };
  }
  const author = comment.authorAccountId;
  if (!author) return { kind: 'ignore' };
  const writtenAt = Date.parse(comment.created ?? '') || Date.now();
  const created = comment.created ?? new Date(writtenAt).toISOString();
  const byAccount = runs.filter((run) => run.acceptedAt && (run.resultAccount?.accountId ?? account) === author && Date.parse(run.acceptedAt) <= writtenAt);
  const markers = markersIn(comment.text ?? '');
  const resultFor = (run: DeliveryRun): CommentResult => {
    // Comment events carry only the author's account id; the configured account has its name.
    const authorName = comment.authorName ?? (run.resultAccount?.accountId === author ? run.resultAccount.displayName : undefined);
    return {
      kind: 'comment',
      commentId: comment.commentId,
      authorAccountId: author,
      ...(authorName ? { authorName } : {}),
      created,
      ...(comment.updated && comment.updated !== comment.created ? { updated: comment.updated } : {}),
    };
  };
  const duplicate = (run: DeliveryRun): CommentDecision => ({ kind: 'note', run, extra: { commentId: comment.commentId, created, why: 'duplicate' } });

  if (markers.length > 0) {
    const named = byAccount.find((run) => markerNames(markers, run));
    if (!named) return { kind: 'ignore' };
    if (named.status === 'completed') return duplicate(named);
    if (WAITING_FOR_RESULT.has(named.status) || named.status === 'superseded') return { kind: 'complete', run: named, result: resultFor(named), supersede: [], matchedBy: 'marker' };
    return { kind: 'ignore' };
  }

  const newestFirst = [...byAccount].sort((a, b) => Date.parse(b.acceptedAt!) - Date.parse(a.acceptedAt!));
  const waiting = newestFirst.filter((run) => WAITING_FOR_RESULT.has(run.status));
  const [target, ...older] = waiting;
  if (target?.markerExpected) return { kind: 'note', run: target, extra: { commentId: comment.commentId, created, why: 'unmarked' } };
  if (target) {
    return { kind: 'complete', run: target, result: resultFor(target), supersede: older.filter((run) => run.status === 'accepted' || run.status === 'running'), matchedBy: 'author-time' };
  }
  // Nothing waits: a second comment for the newest run that has its result, while the platform may still retry.
  const [newest] = newestFirst;
  if (newest?.status === 'completed' && isCommentResult(newest.result) && writtenAt - Date.parse(newest.acceptedAt!) <= DUPLICATE_WINDOW_MS) {
    return newest.markerExpected ? { kind: 'note', run: newest, extra: { commentId: comment.commentId, created, why: 'unmarked' } } : duplicate(newest);
  }
  return { kind: 'ignore' };
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
