import type { DeliveryRun } from './enhancement';

/**
 * "AI Ops stopped accepting the secret": the newest deliveries were refused with 401 after the
 * secret had worked. The platform checks only its current secret, and a regenerated one takes
 * effect at once (AIOPS-CONTRACT "Submitting an issue"), so a streak of 401s after acceptances
 * means the secret changed on the AI Ops side. The streak says since when, and how many runs a
 * redelivery would send again once the secret is updated.
 */
export interface SecretStreak {
  /** When the first refused delivery of the streak was refused. */
  since: string;
  /** When the oldest run of the streak was created: a redelivery filter from here takes them all. */
  firstCreated: string;
  /** Runs refused with 401 in the streak (of those read). */
  count: number;
  /** The key fingerprint the refused runs were signed with. */
  fingerprint?: string;
}

const refusedAt = (run: DeliveryRun) => run.attempts.at(-1)?.at ?? run.finishedAt ?? run.updatedAt;

/**
 * From the newest runs (newest first): the 401 streak at the head, if the secret had worked before
 * it (a run AI Ops accepted just before the streak, or the secret proven by a check before it).
 */
export function secretStreak(newestFirst: DeliveryRun[], provenAt?: string): SecretStreak | undefined {
  const sent = newestFirst.filter((run) => run.attempts.length > 0 || run.acceptedAt);
  const streak: DeliveryRun[] = [];
  let worked = false;
  for (const run of sent) {
    if (run.status === 'failed' && run.httpStatus === 401) {
      streak.push(run);
      continue;
    }
    worked = Boolean(run.acceptedAt);
    break;
  }
  if (streak.length === 0) return undefined;
  const since = streak.map(refusedAt).sort()[0];
  if (!worked && !(provenAt && provenAt < since)) return undefined;
  const firstCreated = streak.map((run) => run.createdAt).sort()[0];
  return { since, firstCreated, count: streak.length, ...(streak[0].keyFingerprint ? { fingerprint: streak[0].keyFingerprint } : {}) };
}
