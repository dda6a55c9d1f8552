/**
 * The scheduled check (`scheduledTrigger`, every five minutes): ends or resumes every run past its
 * deadline, and, when AI Ops answers its health URL again, resumes the runs that waited through an
 * outage, oldest first, spaced out so AI Ops is not hit by a burst. It pushes the runs the queue
 * refused once the trigger's retries are spent. Once an hour it checks the site settings snapshot
 * against the stored settings (a repair for two saves that raced), counts the runs created since
 * (the stored volume the admin page shows) and reports the account ids the app keeps to Atlassian's
 * personal data reporting (each at most once a cycle); once a day it deletes runs older than the
 * retention period. It writes the issue properties Jira's rate limits left behind their runs when
 * the queue could not take the job that does so. A site with no unfinished run costs two storage
 * reads per check (open runs, and bulk runs handed over: 17,280 a month, billed as 1 KB each) and
 * about six more once an hour.
 */
import { inEnglish } from '../core/english';
import { endRun, type DeliveryRun } from '../core/enhancement';
import { decideOverdue, expiredWaitReason, resumePace, waitingRunExpired } from '../core/sweep';
import { effectiveSettings, type EffectiveSettings } from '../core/settings';
import { getStatus } from '../forge/aiops-adapter';
import { JiraUnavailableError, latestComments } from '../forge/jira-adapter';
import { issuesBehind, propertyCaughtUp } from '../forge/property-repair';
import { enqueue } from '../forge/platform';
import { publishChange, writePropertyFromNewest } from '../forge/run-publisher';
import { getRun, hasOpenRuns, listIssueRuns, listOverdueRuns, listRunsByStatus, updateRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings, rebuildSiteSettings } from '../forge/settings-store';
import { takeHandedOverBulks } from '../forge/bulk-store';
import { deliveryJob, pushRefused } from './start-delivery';
import { ensurePushChain, EVENTS_PER_LINK } from './push-chain';
/** Looking runs up at AI Ops is loaded only by sites that turned it on. */
const lookups = () => import(/* webpackChunkName: "aiops-lookup" */ './aiops-lookup');

const OVERDUE_PER_CHECK = 50;
/** Pages of queued runs one check looks through for refused pushes (100 runs a page). */
const AWAITING_PAGES_PER_CHECK = 25;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The scheduled trigger's interval (manifest: fiveMinute). */
const CHECK_INTERVAL_MS = 5 * 60_000;

export interface SweepReport {
  overdue: number;
  resumed: number;
  ended: number;
  waiting: number;
  resumedAfterOutage: number;
  /** Runs whose push the queue had refused, pushed by this check. */
  pushed: number;
  /** Comment-mode runs completed by the AI Ops account's comment whose event never arrived or was filtered out (early look or deadline). */
  recovered: number;
  /** Runs looked up in AI Ops' execution records. */
  lookups: number;
  healthy?: boolean;
  /** Set on the hourly check of the settings snapshot: whether it had to be rewritten. */
  snapshotRepaired?: boolean;
  /** Runs stored, counted on the hourly check. */
  stored?: number;
  /** Finished runs added to the day counters by this check. */
  counted?: number;
  /** Issue properties written again from their issue's newest run, after Jira had refused them. */
  propertiesRepaired?: number;
  /** Bulk runs whose next chunk this check pushed after their chain handed over. */
  bulksResumed?: number;
  /** Runs deleted by the daily retention pass. */
  deletedByRetention?: number;
  /** Accounts reported to Atlassian's personal data reporting, and those closed or updated. */
  personalData?: { reported: number; closed: string[]; updated: string[] };
}

async function settingsFor(run: DeliveryRun, cache: Map<string, EffectiveSettings | undefined>) {
  if (!cache.has(run.projectId)) {
    const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(run.projectId)]);
    const connection = effectiveSettings(global, project, run.projectId);
    cache.set(run.projectId, connection.ok ? connection.settings : undefined);
  }
  return cache.get(run.projectId);
}

/** The issue property follows the issue's newest run: an older run's ending leaves it alone. */
async function isNewest(run: DeliveryRun): Promise<boolean> {
  const [newest] = await listIssueRuns(run.issueId, 1);
  return !newest || newest.deliveryId === run.deliveryId;
}

export async function sweepRuns(): Promise<SweepReport> {
  const now = Date.now();
  const report: SweepReport = { overdue: 0, resumed: 0, ended: 0, waiting: 0, resumedAfterOutage: 0, pushed: 0, recovered: 0, lookups: 0 };
  const cache = new Map<string, EffectiveSettings | undefined>();
  if (now % HOUR_MS < CHECK_INTERVAL_MS) {
    report.snapshotRepaired = await rebuildSiteSettings();
    const lifecycle = await import(/* webpackMode: "eager" */ './data-lifecycle');
    report.stored = (await lifecycle.countNewRuns()).runs;
    // Once a day: runs older than the admin's retention period go.
    if (now % DAY_MS < CHECK_INTERVAL_MS) report.deletedByRetention = await lifecycle.applyRetention((await loadGlobalSettings())?.retentionDays, now);
    // Each account at most once a cycle; checked hourly so a missed day does not wait a week.
    const privacy = await import(/* webpackChunkName: "personal-data" */ './personal-data');
    report.personalData = await privacy.reportPersonalData(now).catch(() => undefined);
  }
  const open = await hasOpenRuns();
  // Bulk runs whose chain of queue jobs handed over: their next chunk starts in a chain of this
  // check's. Every check looks, open runs or not: a chunk's runs often all finish before the next
  // check, and a bulk run would otherwise stall until the hourly one.
  report.bulksResumed = await resumeBulks();
  // Issue properties a rate limit left behind their run, written again.
  if (open || now % HOUR_MS < CHECK_INTERVAL_MS) report.propertiesRepaired = await repairProperties();
  // The day counters follow finished runs while anything is under way, and once an hour in any case.
  if (open || now % HOUR_MS < CHECK_INTERVAL_MS) report.counted = await (await import(/* webpackMode: "eager" */ './outcome-counters')).countFinishedRuns();
  // A quiet site (no unfinished run at all) costs these two reads between the hourly checks.
  if (!open) return report;
  const refused = await pushRefused(AWAITING_PAGES_PER_CHECK, EVENTS_PER_LINK);
  report.pushed = refused.pushed;
  // More than a minute's worth waits: a chain of queue jobs pushes the rest, a minute's worth a minute.
  if (refused.more) await ensurePushChain();

  const overdue = await listOverdueRuns(new Date(now).toISOString(), OVERDUE_PER_CHECK);
  for (const run of overdue.runs) {
    report.overdue += 1;
    const settings = await settingsFor(run, cache);
    const decision = decideOverdue(run, settings, now);
    if (decision.action === 'leave') continue;
    if (decision.action === 'end') {
      if (decision.status === 'timed-out') {
        const found = await completeFromComments(run, settings);
        // Jira would not show the comments just now (a rate limit, a 5xx): the run is left for the next check, never timed out unread.
        if (found === 'unread') continue;
        if (found) {
          report.recovered += 1;
          continue;
        }
      }
      let current = run;
      let reason = decision.reason;
      if (decision.status === 'timed-out' && settings?.aiopsLookup && run.resultMode !== 'poll') {
        // AI Ops' own records may say why nothing came: failed there, or finished without a comment.
        const { outcome, saved } = await (await lookups()).lookUpAndRecord(run, settings, now, { mirror: await isNewest(run) });
        report.lookups += 1;
        if (saved && saved.run.status !== run.status) {
          report.ended += 1;
          continue;
        }
        if (saved) current = saved.run;
        if (outcome.found?.kind === 'completed' && outcome.found.trace.comment === 'posted') reason = inEnglish({ key: 'reason.commentedNoMatch', params: { minutes: settings.resultTimeLimitMinutes } });
      }
      const mirror = await isNewest(run);
      const ended = await publishChange(
        run.deliveryId,
        (latest) => (latest.status === current.status && latest.updatedAt === current.updatedAt ? endRun(latest, decision.status, reason, now, decision.cause) : undefined),
        undefined,
        { mirror },
      );
      if (ended) report.ended += 1;
      continue;
    }
    // Resume: the write (checked against the version read) makes sure only one check pushes it.
    const resumed = await publishChange(run.deliveryId, (current) => (current.status === run.status && current.updatedAt === run.updatedAt ? decision.run : undefined));
    if (!resumed || !settings) continue;
    const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(run.projectId)]);
    await enqueue(deliveryJob(resumed.run, global, project), 0, settings.deliveryConcurrency).catch(() => undefined);
    report.resumed += 1;
  }

  // Runs AI Ops accepted and that still wait: listed once for both early looks.
  const accepted = await listAcceptedRuns(now);
  const completed = await lookEarly(accepted, now, cache);
  report.recovered += completed.size;
  report.lookups += await earlyLookups(accepted.filter((run) => !completed.has(run.deliveryId)), now, cache);

  const waiting = await listRunsByStatus('waiting', {}, new Date(0).toISOString(), 100, undefined, true);
  report.waiting = waiting.runs.length;
  if (waiting.runs.length === 0) return report;
  const global = await loadGlobalSettings();
  if (!global) return report;
  const horizonHours = global.outageHorizonHours;

  for (const run of waiting.runs.filter((r) => waitingRunExpired(r, horizonHours, now))) {
    const ended = await publishChange(run.deliveryId, (current) => (current.status === 'waiting' ? endRun(current, 'failed', expiredWaitReason(current, horizonHours), now, 'outage') : undefined));
    if (ended) report.ended += 1;
  }
  const ready = waiting.runs.filter((r) => !waitingRunExpired(r, horizonHours, now));
  if (ready.length === 0) return report;
  const health = await getStatus(`${global.aiopsBaseUrl}/api/v1/health`, {}, Math.min(global.requestTimeoutSeconds * 1000, 20_000));
  report.healthy = health.kind === 'response' && health.status === 200;
  if (!report.healthy) return report;

  const pace = resumePace(global.deliveryConcurrency);
  for (const [i, run] of ready.slice(0, pace.perCheck).entries()) {
    const at = new Date(now).toISOString();
    const resumed = await publishChange(run.deliveryId, (current) =>
      current.status === 'waiting' ? { ...current, status: 'retrying', nextAttemptAt: at, updatedAt: at, reason: inEnglish({ key: 'reason.resuming' }) } : undefined,
    );
    if (!resumed) continue;
    const project = await loadProjectSettings(run.projectId);
    await enqueue({ ...deliveryJob(resumed.run, global, project), resumed: true }, i * pace.spacingSeconds, global.deliveryConcurrency).catch(() => undefined);
    report.resumedAfterOutage += 1;
  }
  return report;
}

/** Runs looked up per check before their deadline, and how often each. */
const EARLY_LOOKUPS_PER_CHECK = 10;
const LOOKUP_EVERY_MS = 5 * 60_000;

/**
 * With the lookup on, runs AI Ops accepted five minutes ago or more are looked up at most once per
 * check each (ten runs a check): a run that failed at AI Ops says so within a check or two of the
 * platform's giving up, instead of at its deadline.
 */
async function earlyLookups(waiting: DeliveryRun[], now: number, cache: Map<string, EffectiveSettings | undefined>): Promise<number> {
  const global = await loadGlobalSettings();
  if (!global?.aiopsLookup) return 0;
  const due = waiting
    .filter((run) => run.resultMode !== 'poll' && run.acceptedAt && now - Date.parse(run.acceptedAt) >= LOOKUP_EVERY_MS)
    .filter((run) => !run.lookup || now - Date.parse(run.lookup.at) >= LOOKUP_EVERY_MS - 30_000)
    .slice(0, EARLY_LOOKUPS_PER_CHECK);
  let done = 0;
  for (const run of due) {
    const settings = await settingsFor(run, cache);
    if (!settings) continue;
    await (await lookups()).lookUpAndRecord(run, settings, now, { mirror: await isNewest(run) });
    done += 1;
  }
  return done;
}

/**
 * The scheduled trigger's handler. It answers as the scheduled trigger events reference asks (a
 * `statusCode`, 204 for success); without one the platform records 424 Failed dependency.
 */
export async function runSweep(): Promise<{ statusCode: number }> {
  await sweepRuns();
  return { statusCode: 204 };
}

/** Up to 20 issue properties a check, each from its issue's newest run; stops at the first Jira refuses. */
async function repairProperties(): Promise<number> {
  let repaired = 0;
  for (const issueId of await issuesBehind(20)) {
    try {
      if (await writePropertyFromNewest(issueId)) repaired += 1;
    } catch (error) {
      if (error instanceof JiraUnavailableError) break;
      throw error;
    }
    // Written, or nothing to write (the issue or its runs are gone): either way no longer behind.
    await propertyCaughtUp(issueId);
  }
  return repaired;
}

async function resumeBulks(): Promise<number> {
  const ids = await takeHandedOverBulks();
  if (ids.length === 0) return 0;
  return (await import(/* webpackChunkName: "bulk-runs" */ './bulk-runs')).resumeHandedOverBulks(ids);
}

/**
 * Product events may reach the app up to 3 minutes after the comment (docs "trigger", Event
 * delivery delay), and the comment trigger's filter reads the issue property as it was a few
 * seconds before the event: an agent that comments within those seconds of AI Ops accepting the
 * run is filtered out. So each comment-mode run still waiting 3 minutes after acceptance gets one
 * look at its issue's comments (at most 10 runs a check, one Jira read each, once per run), and
 * is found minutes after its comment rather than at its deadline.
 */
const EARLY_LOOK_AFTER_MS = 3 * 60_000;
const EARLY_LOOKS_PER_CHECK = 10;

/** Accepted and running runs of the last three days, oldest first (100 of each at most). */
async function listAcceptedRuns(now: number): Promise<DeliveryRun[]> {
  const since = new Date(now - 3 * DAY_MS).toISOString();
  const [accepted, running] = await Promise.all([listRunsByStatus('accepted', {}, since, 100, undefined, true), listRunsByStatus('running', {}, since, 100, undefined, true)]);
  return [...accepted.runs, ...running.runs];
}

/** The runs it completed from their comments. */
async function lookEarly(waiting: DeliveryRun[], now: number, cache: Map<string, EffectiveSettings | undefined>): Promise<Set<string>> {
  const completed = new Set<string>();
  const due = waiting.filter((run) => run.resultMode === 'comment' && !run.earlyLookAt && run.acceptedAt && now - Date.parse(run.acceptedAt) >= EARLY_LOOK_AFTER_MS).slice(0, EARLY_LOOKS_PER_CHECK);
  for (const run of due) {
    const found = await completeFromComments(run, await settingsFor(run, cache));
    // Jira is limiting the app: the remaining looks wait for the next check.
    if (found === 'unread') break;
    if (found) {
      completed.add(run.deliveryId);
      continue;
    }
    await updateRun(run.deliveryId, (current) => (current.earlyLookAt || current.status !== run.status ? undefined : { ...current, earlyLookAt: new Date(now).toISOString() }));
  }
  return completed;
}

/**
 * Before a comment-mode run times out, one look at the issue's newest comments: the AI Ops
 * account's comment may be there while its event never reached the app (a comment trigger
 * invocation that fails is not delivered again). Found, it is recorded exactly as the comment
 * trigger records it, but from storage alone. One Jira read per run at its deadline (and one three
 * minutes after acceptance, lookEarly).
 */
async function completeFromComments(run: DeliveryRun, settings: EffectiveSettings | undefined): Promise<boolean | 'unread'> {
  const account = run.resultAccount ?? settings?.resultAccount;
  if (run.resultMode !== 'comment' || !account || !run.acceptedAt) return false;
  const acceptedAt = Date.parse(run.acceptedAt);
  let latest: Awaited<ReturnType<typeof latestComments>>;
  try {
    latest = await latestComments(run.issueId, 20);
  } catch (error) {
    if (error instanceof JiraUnavailableError) return 'unread';
    throw error;
  }
  const comments = latest.filter((c) => c.authorAccountId === account.accountId && Date.parse(c.created ?? '') >= acceptedAt).reverse();
  if (comments.length === 0) return false;
  // Decided from the runs in storage, never from the issue property (which editors can forge);
  // oldest first, as their events would have come, so a run marker or the first comment decides.
  const { recordComment } = await import(/* webpackMode: "eager" */ './comment-event-trigger');
  for (const comment of comments) {
    await recordComment(run.issueId, comment.id, {
      eventType: 'avi:jira:commented:issue',
      issue: { id: run.issueId },
      comment: { id: comment.id, author: { accountId: comment.authorAccountId, displayName: comment.authorName }, body: comment.body, created: comment.created, updated: comment.updated },
    });
  }
  return (await getRun(run.deliveryId))?.run.status === 'completed';
}
