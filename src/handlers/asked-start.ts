/**
 * Starting a run someone asked for: Run again, Redeliver, the Automation action and Send test
 * issue. Every one goes through the same checks, in this order, before `startDelivery`:
 *   1. one start per issue at a time (a lock), and no second run while one is open;
 *   2. the hourly budgets per issue and per person (core/run-limits.ts);
 *   3. the issue is still in the project the run is for (an issue moved away is not sent with the
 *      old project's settings);
 *   4. the project's filters (core/eligibility.ts, then its JQL condition), unless a project admin
 *      deliberately sends past them.
 * Whatever is refused is refused with a Message the screen words for its reader.
 */
import { canOverride, decideEligibility, JQL_EXCLUDED, type Eligibility } from '../core/eligibility';
import type { RunTrigger } from '../core/enhancement';
import type { Message } from '../core/i18n';
import { startRefusal } from '../core/run-limits';
import type { GlobalSettings, ProjectSettings } from '../core/settings';
import { CONNECTION_DEFAULTS as D } from '../core/setting-defaults';
import { issueMatchesJql, readIssueAsApp } from '../forge/jira-adapter';
import { randomBytes } from 'node:crypto';
import { listIssueRuns } from '../forge/run-store';
import { loadSiteSettings } from '../forge/settings-store';
import { countStart, startsThisHour, withIssueLock } from '../forge/start-guards';
import { startDelivery, type DeliveryTarget, type StartResult } from './start-delivery';

export interface AskedStart {
  target: DeliveryTarget;
  trigger: Extract<RunTrigger, 'rerun' | 'redeliver' | 'automation' | 'test'>;
  discriminator: string;
  requestedBy?: string;
  global: GlobalSettings | undefined;
  project: ProjectSettings;
  /** Send although the project's filters leave the issue out (the caller checked the person may). */
  override?: boolean;
  /** The project's filters do not apply, nor the one-open-run rule (a test the Jira admin sends to any issue). */
  skipFilters?: boolean;
  /** The project need not be enabled (the Automation action, when the Jira admin allows it); its filters still apply. */
  allowDisabledProject?: boolean;
  automationRule?: string;
}

export type AskedStartResult =
  | StartResult
  /** Refused before anything was recorded; `exclusion` when the project's filters left the issue out. */
  | { started: false; refused: Message; exclusion?: { why: Message; overridable: boolean } };

/** Whether the project's filters leave this issue out, read fresh from Jira. */
export async function projectExclusion(project: ProjectSettings, issue: { issueId: string; issueType: { id: string; name: string }; priority?: { id: string; name: string }; labels: string[] }): Promise<Eligibility> {
  const decision = decideEligibility(project, { kind: 'manual', issueType: issue.issueType, priority: issue.priority, labels: issue.labels, changedFields: [] });
  if (!decision.eligible || !decision.needsJqlCheck || !project.jql) return decision;
  const match = await issueMatchesJql(issue.issueId, project.jql);
  // A condition Jira cannot check is the trigger's blocked reason too: the run records it.
  if (match.ok && !match.matches) return JQL_EXCLUDED;
  return decision;
}

export async function startAskedRun(ask: AskedStart): Promise<AskedStartResult> {
  const locked = await withIssueLock(ask.target.issueId, () => checkedStart(ask));
  if (locked.busy) return { started: false, refused: { key: 'limits.starting' } };
  return locked.value;
}

async function checkedStart(ask: AskedStart): Promise<AskedStartResult> {
  const now = Date.now();
  const limits = { perIssuePerHour: ask.global?.runsPerIssuePerHour ?? D.runsPerIssuePerHour, perUserPerHour: ask.global?.runsPerUserPerHour ?? D.runsPerUserPerHour };
  const [runs, userStarts] = await Promise.all([listIssueRuns(ask.target.issueId, 20), startsThisHour(ask.requestedBy, now)]);
  const refusal = startRefusal(ask.skipFilters ? runs.filter((run) => run.trigger === 'test') : runs, userStarts, limits, now);
  if (refusal) return { started: false, refused: refusal };

  const read = await readIssueAsApp(ask.target.issueId);
  if (read.kind === 'missing') return { started: false, refused: { key: 'reason.issueGone' } };
  if (read.kind === 'found') {
    const f = read.issue.fields;
    if (f.project?.id && String(f.project.id) !== ask.target.projectId) return { started: false, refused: { key: 'limits.moved', params: { key: read.issue.key } } };
    if (!ask.skipFilters && !ask.override) {
      const exclusion = await projectExclusion(ask.allowDisabledProject ? { ...ask.project, enabled: true } : ask.project, {
        issueId: ask.target.issueId,
        issueType: { id: f.issuetype?.id ?? '', name: f.issuetype?.name ?? '' },
        priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : undefined,
        labels: f.labels ?? [],
      });
      if (!exclusion.eligible) {
        const why: Message = { key: exclusion.why.key, ...(exclusion.why.params ? { params: exclusion.why.params } : {}) };
        return { started: false, refused: { key: 'limits.excluded', params: { why } }, exclusion: { why, overridable: canOverride(exclusion) } };
      }
    }
  }
  // An issue Jira cannot read just now is started anyway: the consumer reads it again and retries.
  const started = await startDelivery(ask.target, ask.trigger, `${ask.discriminator}-${randomBytes(4).toString('hex')}`, ask.global, ask.project, {
    salt: (await loadSiteSettings()).deliveryIdSalt,
    requestedBy: ask.requestedBy,
    concurrencyLimit: ask.global?.deliveryConcurrency,
    ...(ask.automationRule ? { automationRule: ask.automationRule } : {}),
  });
  if (started.started || started.queued) await countStart(ask.requestedBy, now, userStarts);
  return started;
}
