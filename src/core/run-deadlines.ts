import type { DeliveryRun } from './enhancement';

/**
 * When an unfinished run is overdue: the moment after which nothing the platform promised can still
 * move it, so the scheduled sweep must look at it. Queue events may start a few minutes late and
 * the platform's own retries are up to 15 minutes apart, hence the grace.
 */
export const QUEUE_GRACE_MS = 20 * 60_000;

export function runDueAt(run: DeliveryRun): string | undefined {
  switch (run.status) {
    // A queued run waits for its queue event from its last change, or, when Jira's limits held its
    // attempt back, until the time it comes again, whichever is later.
    case 'queued':
      return new Date(Math.max(Date.parse(run.updatedAt), Date.parse(run.nextAttemptAt ?? run.updatedAt)) + QUEUE_GRACE_MS).toISOString();
    case 'retrying':
    case 'waiting':
      return new Date(Date.parse(run.nextAttemptAt ?? run.updatedAt) + QUEUE_GRACE_MS).toISOString();
    case 'accepted':
    case 'running':
      return run.resultDeadline ?? new Date(Date.parse(run.updatedAt) + QUEUE_GRACE_MS).toISOString();
    default:
      return undefined;
  }
}

/** True when a run that should be moving has not moved by its deadline. */
export function isOverdue(run: DeliveryRun, nowMs: number): boolean {
  const due = runDueAt(run);
  return due !== undefined && Date.parse(due) <= nowMs;
}
