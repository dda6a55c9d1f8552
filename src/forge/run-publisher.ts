/**
 * Every state change of a run: stored (merged with what is there), mirrored into the JQL-indexed
 * issue property, announced to open panels.
 */
import { isCommentResult, type DeliveryRun } from '../core/enhancement';
import { JiraUnavailableError, writeIssueProperty, type IssueEnhancementProperty } from './jira-adapter';
import { withJitter } from './jira-request';
import { notePropertyBehind } from './property-repair';
import { announceChange, enqueue } from './platform';
import { claimRun, listIssueRuns, updateRun, type StoredRun } from './run-store';

/** The issue property as a run sets it. */
function propertyOf(run: DeliveryRun): IssueEnhancementProperty {
  return {
    status: run.status,
    executionId: run.executionId,
    deliveryId: run.deliveryId,
    updatedAt: run.updatedAt,
    // Comments by the account that wrote the result still reach the app: the platform may comment twice.
    ...(isCommentResult(run.result) ? { resultCommentId: run.result.commentId, resultAuthorId: run.result.authorAccountId } : {}),
  };
}

/**
 * Writes the run's state into the issue property. A write Jira does not take just now (a rate
 * limit past its retries, a 5xx) never fails the change it mirrors, which is stored already: a
 * queue job writes the property from the issue's newest run once Jira takes writes again, and if
 * the queue refuses that too, the issue is noted for the scheduled check (property-repair.ts).
 */
export async function mirrorProperty(run: DeliveryRun): Promise<boolean> {
  try {
    return await writeIssueProperty(run.issueId, propertyOf(run));
  } catch (error) {
    if (!(error instanceof JiraUnavailableError)) throw error;
    await enqueue({ kind: 'property', issueId: run.issueId }, Math.ceil(withJitter(error.retryAfterSeconds))).catch(() => notePropertyBehind(run.issueId));
    return false;
  }
}

/** The property job: the issue's newest run into its property (JiraUnavailableError while Jira still refuses). */
export async function writePropertyFromNewest(issueId: string): Promise<boolean> {
  const [newest] = await listIssueRuns(issueId, 1);
  return newest ? writeIssueProperty(issueId, propertyOf(newest)) : false;
}

async function mirror(run: DeliveryRun): Promise<void> {
  await Promise.all([mirrorProperty(run), announceChange(run.issueId, run.status)]);
}

/** Records a new run once (false for a duplicate event) and mirrors it. */
export async function publishNewRun(run: DeliveryRun): Promise<boolean> {
  if (!(await claimRun(run))) return false;
  await mirror(run);
  return true;
}

/**
 * Applies `change` to the stored run and mirrors the outcome; undefined when nothing changed (a
 * repeated or out-of-date message), in which case nothing is written or announced.
 */
export async function publishChange(
  deliveryId: string,
  change: (run: DeliveryRun) => DeliveryRun | undefined,
  known?: StoredRun,
  options: { mirror?: boolean } = {},
): Promise<StoredRun | undefined> {
  const updated = await updateRun(deliveryId, change, known);
  // An older run's change (superseded, timed out behind a newer one) must not overwrite the issue
  // property, which follows the issue's newest run; its panel is still told to refresh.
  if (updated) await (options.mirror === false ? announceChange(updated.run.issueId, updated.run.status) : mirror(updated.run));
  return updated;
}
