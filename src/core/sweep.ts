import { commentTimeoutReason } from './comment-result';
import { inEnglish } from './english';
import { attemptCount, type DeliveryRun } from './enhancement';
import type { EffectiveSettings } from './settings';

/**
 * The scheduled check's rules: nothing stays unfinished past its deadline. An overdue run that was
 * never sent (its queue event lost, its consumer crashed or timed out, a retry refused) is sent
 * again under its own delivery id; a run AI Ops accepted that got no result is timed out; a run
 * the check has already resumed a few times without progress is ended with a reason.
 */

/** Resumptions of one overdue run before the check gives up on it. */
export const MAX_SWEEP_RESUMES = 3;

export type SweepAction =
  | { action: 'resume'; run: DeliveryRun }
  | { action: 'end'; status: 'failed' | 'timed-out'; reason: string; cause: 'outage' | 'agent' }
  | { action: 'leave' };

export function decideOverdue(run: DeliveryRun, settings: EffectiveSettings | undefined, nowMs: number): SweepAction {
  const at = new Date(nowMs).toISOString();
  switch (run.status) {
    case 'queued':
    case 'retrying': {
      const resumes = run.sweepResumes ?? 0;
      if (resumes >= MAX_SWEEP_RESUMES) {
        return { action: 'end', status: 'failed', cause: 'outage', reason: inEnglish({ key: 'reason.restarts', params: { n: resumes, last: run.reason ?? run.status } }) };
      }
      if (!settings) return { action: 'end', status: 'failed', cause: 'outage', reason: inEnglish({ key: 'reason.noLongerConfigured' }) };
      // Back to the queue under the same delivery id; the attempt count carries on.
      return { action: 'resume', run: { ...run, status: run.status, sweepResumes: resumes + 1, nextAttemptAt: at, updatedAt: at } };
    }
    case 'accepted':
    case 'running': {
      const limit = settings?.resultTimeLimitMinutes ?? 30;
      const reason =
        run.resultMode === 'comment'
          ? commentTimeoutReason(run, limit, run.resultAccount ?? settings?.resultAccount)
          : inEnglish({ key: 'reason.noResultWithin', params: { minutes: limit, execution: run.executionId ?? 'unknown', mode: run.resultMode ?? 'callback' } });
      return { action: 'end', status: 'timed-out', cause: 'agent', reason };
    }
    default:
      return { action: 'leave' };
  }
}

/** Waiting runs older than the outage horizon fail; the others wait for AI Ops to answer its health URL. */
export function waitingRunExpired(run: DeliveryRun, horizonHours: number, nowMs: number): boolean {
  return nowMs - Date.parse(run.createdAt) >= horizonHours * 3_600_000;
}

export function expiredWaitReason(run: DeliveryRun, horizonHours: number): string {
  return inEnglish({ key: 'reason.outage', params: { hours: horizonHours, n: attemptCount(run), last: run.attempts[run.attempts.length - 1]?.reason ?? 'no answer' } });
}

/** How many waiting runs one check resumes, and how far apart, once AI Ops answers again. */
export function resumePace(concurrency: number): { perCheck: number; spacingSeconds: number } {
  return { perCheck: Math.max(1, concurrency) * 20, spacingSeconds: 2 };
}
