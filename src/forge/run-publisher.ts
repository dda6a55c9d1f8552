/**
 * Every state change of a run: stored (merged with what is there), mirrored into the JQL-indexed
 * issue property, announced to open panels.
 */
import { isCommentResult, type DeliveryRun } from '../core/enhancement';
import { writeIssueProperty } from './jira-adapter';
import { announceChange } from './platform';
import { claimRun, updateRun, type StoredRun } from './run-store';

async function mirror(run: DeliveryRun): Promise<void> {
  await Promise.all([
    writeIssueProperty(run.issueId, {
      status: run.status,
      executionId: run.executionId,
      deliveryId: run.deliveryId,
      updatedAt: run.updatedAt,
      // Comments by the account that wrote the result still reach the app: the platform may comment twice.
      ...(isCommentResult(run.result) ? { resultCommentId: run.result.commentId, resultAuthorId: run.result.authorAccountId } : {}),
    }),
    announceChange(run.issueId, run.status),
  ]);
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
