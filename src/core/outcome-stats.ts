import type { DeliveryRun } from './enhancement';

/**
 * Counters of finished runs, one small record per day and scope (the site, or one project): how
 * many completed, failed or timed out, how long from the issue's run to its result (a histogram),
 * and why runs failed. The admin and project pages draw the last 30 days from 30 such records;
 * nothing ever reads all runs.
 */

export type Outcome = 'completed' | 'failed' | 'timedOut';

export interface DayStats {
  day: string;
  completed: number;
  failed: number;
  timedOut: number;
  /** Time from the run's creation to its result, completed runs only: counts per bucket (see bucketOf). */
  durations: number[];
  /** Failed and timed-out runs by reason key, with the last reason text seen for it. */
  reasons: Record<string, { count: number; label: string }>;
}

/** Buckets growing by √2 from 1 s: [0,1) s, [1,1.41) s, [1.41,2) s … up to about three days. */
const BUCKETS = 36;
const REASONS_KEPT = 25;

export function emptyDay(day: string): DayStats {
  return { day, completed: 0, failed: 0, timedOut: 0, durations: new Array(BUCKETS).fill(0), reasons: {} };
}

export function bucketOf(ms: number): number {
  const seconds = Math.max(0, ms) / 1000;
  return seconds < 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(2 * Math.log2(seconds)) + 1);
}

/** The bucket's geometric middle, in ms: within 19% of any time in it. */
function bucketMiddleMs(bucket: number): number {
  if (bucket === 0) return 500;
  return Math.round(2 ** ((bucket - 1) / 2 + 0.25) * 1000);
}

export function outcomeOf(run: DeliveryRun): Outcome | undefined {
  if (run.status === 'completed') return 'completed';
  if (run.status === 'failed') return 'failed';
  if (run.status === 'timed-out') return 'timedOut';
  return undefined;
}

/**
 * Groups failures that have one cause: who must act, and the HTTP status when AI Ops answered.
 * The label is the run's own reason, so the admin reads it in the run's words (see reason-words.ts).
 */
export function reasonKeyOf(run: DeliveryRun): { key: string; label: string } {
  const status = run.httpStatus ?? run.attempts[run.attempts.length - 1]?.httpStatus;
  const key = `${run.status === 'timed-out' ? 'timed-out' : (run.failureCause ?? 'unknown')}${status ? `-${status}` : ''}`;
  const text = (run.reason ?? run.status).replace(/\s+/g, ' ').trim();
  // Kept whole up to 300 characters, so the pages can word it for their reader, then shorten it.
  return { key, label: text.length > 300 ? `${text.slice(0, 299)}…` : text };
}

export const dayOf = (iso: string) => iso.slice(0, 10);

/** Counts one run that reached an outcome (or, with `sign` -1, takes back an earlier count). */
export function countRun(stats: DayStats, run: DeliveryRun, outcome: Outcome, sign: 1 | -1 = 1): DayStats {
  const next: DayStats = { ...stats, durations: [...stats.durations], reasons: { ...stats.reasons } };
  next[outcome] = Math.max(0, next[outcome] + sign);
  if (outcome === 'completed' && run.finishedAt) {
    const bucket = bucketOf(Date.parse(run.finishedAt) - Date.parse(run.createdAt));
    next.durations[bucket] = Math.max(0, (next.durations[bucket] ?? 0) + sign);
  }
  if (outcome !== 'completed') {
    const { key, label } = reasonKeyOf(outcome === 'timedOut' ? { ...run, status: 'timed-out' } : run);
    const before = next.reasons[key] ?? { count: 0, label };
    next.reasons[key] = { count: Math.max(0, before.count + sign), label: sign > 0 ? label : before.label };
    if (next.reasons[key].count === 0) delete next.reasons[key];
    const kept = Object.entries(next.reasons).sort((a, b) => b[1].count - a[1].count);
    if (kept.length > REASONS_KEPT) next.reasons = Object.fromEntries(kept.slice(0, REASONS_KEPT));
  }
  return next;
}

/** What people did with results on one day: votes, and suggestions offered and applied. */
export interface ActionCounts {
  day: string;
  helpful: number;
  notHelpful: number;
  offered: number;
  applied: number;
}

export function emptyActions(day: string): ActionCounts {
  return { day, helpful: 0, notHelpful: 0, offered: 0, applied: 0 };
}

/** The 30 days' votes and suggestions, with the shares the pages show (undefined when nothing to share). */
export function summariseActions(records: Array<ActionCounts | undefined>): Insights['actions'] {
  const total = records.reduce((t, r) => (r ? { helpful: t.helpful + r.helpful, notHelpful: t.notHelpful + r.notHelpful, offered: t.offered + r.offered, applied: t.applied + r.applied } : t), { helpful: 0, notHelpful: 0, offered: 0, applied: 0 });
  const votes = total.helpful + total.notHelpful;
  return {
    ...total,
    ...(votes > 0 ? { helpfulShare: total.helpful / votes } : {}),
    ...(total.offered > 0 ? { appliedShare: Math.min(1, total.applied / total.offered) } : {}),
  };
}

export interface Insights {
  days: Array<{ day: string; completed: number; failed: number; timedOut: number }>;
  totals: { completed: number; failed: number; timedOut: number };
  /** From the histogram: the middle of the bucket the percentile falls in. */
  medianMs?: number;
  p95Ms?: number;
  topReasons: Array<{ key: string; label: string; count: number }>;
  /** Votes on the results and what became of their suggestions. */
  actions?: { helpful: number; notHelpful: number; offered: number; applied: number; helpfulShare?: number; appliedShare?: number };
}

function percentileMs(durations: number[], p: number): number | undefined {
  const total = durations.reduce((n, c) => n + c, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (let bucket = 0; bucket < durations.length; bucket += 1) {
    seen += durations[bucket];
    if (seen >= rank) return bucketMiddleMs(bucket);
  }
  return undefined;
}

/** The picture of the last `dayCount` days ending on `today`, from their day records. */
export function summarise(records: Array<DayStats | undefined>, today: string, dayCount = 30): Insights {
  const byDay = new Map(records.filter((r): r is DayStats => r !== undefined).map((r) => [r.day, r]));
  const days: Insights['days'] = [];
  const durations = new Array(BUCKETS).fill(0);
  const reasons = new Map<string, { label: string; count: number }>();
  const end = Date.parse(`${today}T00:00:00.000Z`);
  for (let i = dayCount - 1; i >= 0; i -= 1) {
    const day = new Date(end - i * 86_400_000).toISOString().slice(0, 10);
    const stats = byDay.get(day) ?? emptyDay(day);
    days.push({ day, completed: stats.completed, failed: stats.failed, timedOut: stats.timedOut });
    stats.durations.forEach((count, bucket) => (durations[bucket] += count));
    for (const [key, reason] of Object.entries(stats.reasons)) {
      const seen = reasons.get(key);
      reasons.set(key, { label: seen?.label ?? reason.label, count: (seen?.count ?? 0) + reason.count });
    }
  }
  const totals = days.reduce((t, d) => ({ completed: t.completed + d.completed, failed: t.failed + d.failed, timedOut: t.timedOut + d.timedOut }), { completed: 0, failed: 0, timedOut: 0 });
  return {
    days,
    totals,
    medianMs: percentileMs(durations, 0.5),
    p95Ms: percentileMs(durations, 0.95),
    topReasons: [...reasons.entries()]
      .map(([key, r]) => ({ key, ...r }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 5),
  };
}
