import { isOpen, type DeliveryRun, type RunTrigger } from './enhancement';
import type { Message } from './i18n';

/**
 * Limits on runs that people and rules start (Run again, Redeliver, Automation, Send test issue):
 * one open run per issue, and hourly budgets per issue and per person, so neither a double click,
 * a script calling the resolver in a loop nor a rule that fires on its own comments floods AI Ops.
 * Runs that Jira events start are bounded by the events themselves.
 */

export interface RunLimits {
  perIssuePerHour: number;
  perUserPerHour: number;
}

/** The triggers these limits count: runs someone asked for. */
export const ASKED_FOR: ReadonlySet<RunTrigger> = new Set<RunTrigger>(['rerun', 'redeliver', 'automation', 'test']);

const HOUR_MS = 3_600_000;

/** The hour a run counts in, for a per-person counter key. */
export const hourBucket = (nowMs: number) => Math.floor(nowMs / HOUR_MS);

/**
 * Why another run may not start on this issue now, or undefined. `runs` are the issue's runs,
 * newest first; `userRunsThisHour` counts what the requester started this hour on any issue.
 */
export function startRefusal(runs: DeliveryRun[], userRunsThisHour: number, limits: RunLimits, nowMs: number): Message | undefined {
  const open = runs.find((run) => isOpen(run.status));
  if (open) return { key: 'limits.openRun', params: { status: { key: `status.${open.status}` } } };
  const recent = runs.filter((run) => ASKED_FOR.has(run.trigger) && nowMs - Date.parse(run.createdAt) < HOUR_MS);
  if (recent.length >= limits.perIssuePerHour) {
    const oldest = Math.min(...recent.map((run) => Date.parse(run.createdAt)));
    return { key: 'limits.perIssue', params: { n: limits.perIssuePerHour, minutes: Math.max(1, Math.ceil((oldest + HOUR_MS - nowMs) / 60_000)) } };
  }
  if (userRunsThisHour >= limits.perUserPerHour) {
    return { key: 'limits.perUser', params: { n: limits.perUserPerHour, minutes: Math.max(1, Math.ceil(((hourBucket(nowMs) + 1) * HOUR_MS - nowMs) / 60_000)) } };
  }
  return undefined;
}
