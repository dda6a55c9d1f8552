/** Every state change of a run: stored, mirrored into the JQL-indexed issue property, announced to open panels. */
import { currentRun, type DeliveryRun, type ResultFact } from '../core/enhancement';
import { writeIssueProperty } from './jira-adapter';
import { announceChange } from './platform';
import { listFacts, recordFact, saveRun } from './run-store';

async function mirror(run: DeliveryRun): Promise<void> {
  await Promise.all([
    writeIssueProperty(run.issueId, { status: run.status, executionId: run.executionId, deliveryId: run.deliveryId, updatedAt: run.updatedAt }),
    announceChange(run.issueId, run.status),
  ]);
}

export async function publishRun(run: DeliveryRun): Promise<void> {
  await saveRun(run);
  await mirror(run);
}

/** Records a result fact once; a repeated message changes nothing and announces nothing. */
export async function publishFact(run: DeliveryRun, fact: ResultFact): Promise<boolean> {
  if (!(await recordFact(run.projectId, run.issueId, fact))) return false;
  // Mirror the furthest state, not this message: a late "running" must not undo "completed".
  await mirror(currentRun(run, await listFacts(run.projectId, run.issueId, run.deliveryId)));
  return true;
}
