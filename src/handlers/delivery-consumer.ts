/**
 * The delivery queue's consumer: sends one issue to AI Ops (read, build, sign, POST, record), asks
 * the platform for a retry with backoff while attempts remain, and polls the status URL when
 * results come back by pull.
 *
 * Every attempt starts from the stored run, never from what the queue carried: a run AI Ops
 * accepted is never posted again, and the attempt count survives the platform's own retries (after
 * a crash or a timeout they come without our `retryData`, but with `retryCount`).
 */
import { getAppContext } from '@forge/api';
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { inEnglish } from '../core/english';
import { licenceState, UNLICENSED_MESSAGE } from '../core/licence';
import { classifyAnswer, MAX_PLATFORM_DELAY_SECONDS, nextStep, waitInHops, type DeliveryOutcome } from '../core/delivery-policy';
import type { DeliveryJob, DeliveryRetryData, DiagnoseJob, PollJob, QueueJob } from '../core/delivery-job';
import { applyResult, attemptCount, endRun, markWaiting, recordAttempt, type DeliveryRun, type ResultMessage } from '../core/enhancement';
import { buildPayload, serialisePayload } from '../core/payload';
import { effectiveSettings, expandStatusUrl, type EffectiveSettings } from '../core/settings';
import { keyFingerprint, signRequest } from '../core/signing';
import { pollDelaySeconds, readStatusAnswer } from '../core/status-poll';
import { getStatus, postSigned } from '../forge/aiops-adapter';
import { recordDiagnoseConsumed } from '../forge/diagnostics-store';
const bulkRuns = () => import(/* webpackChunkName: "bulk-runs" */ './bulk-runs');
import { JiraLimitedError, readIssueAsApp, siteUrl } from '../forge/jira-adapter';
import { withJitter } from '../forge/jira-request';
import { callbackUrlFor, enqueue } from '../forge/platform';
import { publishChange, writePropertyFromNewest } from '../forge/run-publisher';
import { claimRun, getRun, updateRun, type StoredRun } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings, readSecret } from '../forge/settings-store';
import { signingKeys } from '../forge/signing-keys';
import { retryWhenJiraAnswers } from './jira-backoff';

interface AsyncEvent {
  body: QueueJob;
  retryContext?: { retryCount: number; retryReason: string; retryData?: Partial<DeliveryRetryData> };
}

const SENDABLE = new Set(['queued', 'retrying', 'waiting']);

let cachedSiteUrl: string | undefined;

export async function deliverIssue(event: AsyncEvent): Promise<unknown> {
  // A job Jira would not answer (its rate limits, a 5xx) comes again once Jira takes requests.
  return runJob(event).catch((error: unknown) => retryWhenJiraAnswers(error, event.retryContext?.retryData));
}

async function runJob(event: AsyncEvent): Promise<unknown> {
  const job = event.body;
  if (job.kind === 'poll') return pollStatus(job);
  if (job.kind === 'diagnose') return recordDiagnose(job);
  if (job.kind === 'bulk') return (await bulkRuns()).processBulkChunk(job.bulkId, job.link ?? 0);
  if (job.kind === 'purge') return (await import(/* webpackMode: "eager" */ './data-lifecycle')).purgeAppData({ continueInQueue: true });
  // Jira refused this issue's property write earlier: write it from the newest run (retried while Jira still refuses).
  if (job.kind === 'property') return writePropertyFromNewest(job.issueId).then(() => undefined);
  if (job.kind === 'push-refused') return (await import(/* webpackMode: "eager" */ './push-chain')).pushChainLink().then(() => undefined);
  if (job.kind === 'feedback' || job.kind === 'auto-apply') return (await import(/* webpackChunkName: "result-actions" */ './result-actions')).runResultJob(job);
  const retryData = event.retryContext?.retryData;
  // A wait longer than the platform's 900 s goes in hops that touch nothing.
  if (retryData?.hopsLeft && retryData.hopsLeft > 0) return hop({ ...(retryData as DeliveryRetryData), hopsLeft: retryData.hopsLeft - 1 });

  const read = await claimOrRead(job, Boolean(event.retryContext));
  // Gone (deleted with the app's data) or already past sending: never post it again.
  if (!read || !SENDABLE.has(read.stored.run.status)) return undefined;
  let stored = read.stored;
  // The licence lapsed while the job waited: send nothing; "Redeliver" sends it once it is active again.
  if (licenceState(getAppContext().license) === 'inactive') return record(stored, endRun(stored.run, 'failed', UNLICENSED_MESSAGE, Date.now(), 'configuration'));
  const previous = Math.max(
    attemptCount(stored.run),
    retryData?.attempt ?? (event.retryContext ? job.baseAttempts + event.retryContext.retryCount : job.baseAttempts),
  );
  const attempt = previous + 1;
  const fresh = !event.retryContext && attempt === job.baseAttempts + 1;
  const settings = fresh && job.settings ? { settings: job.settings, previousSecretUntil: job.previousSecretUntil } : await currentSettings(stored.run);
  if (!settings.settings) {
    return record(stored, endRun(stored.run, 'failed', settings.reason ?? inEnglish({ key: 'reason.notConfigured' }), Date.now(), 'configuration'));
  }
  if (!job.resumed && attempt > settings.settings.attemptLimit) {
    // Only reached when invocations died before recording their attempt (crash, timeout).
    const stopped = inEnglish({ key: 'reason.functionStopped', params: { why: event.retryContext?.retryReason ?? 'unknown reason' } });
    const reason = inEnglish({ key: previous === 1 ? 'reason.gaveUpOne' : 'reason.gaveUp', params: { n: previous, reason: stopped } });
    return record(stored, endRun({ ...stored.run, attemptCount: previous }, 'failed', reason, Date.now(), 'outage'));
  }
  if (!read.claimed) {
    // Not the run's first claim: this attempt is claimed before anything is sent, so a second copy
    // of the event (delivered at the same time, at least once) finds the claim and stops.
    const claimed = await claimAttempt(stored, attempt);
    if (!claimed) return undefined;
    stored = claimed;
  }
  try {
    return await deliverOnce(job, stored, attempt, settings.settings, settings.previousSecretUntil);
  } catch (error) {
    // Jira's rate limits stopped the reads before the send: nothing went to AI Ops, so no attempt is spent.
    if (error instanceof JiraLimitedError) return waitForJira(job, stored, previous, error);
    // An unexpected failure still counts as an attempt, so the attempt limit always ends the run.
    const reason = inEnglish({ key: 'reason.internal', params: { error: error instanceof Error ? error.message : String(error) } });
    const latest = (await getRun(job.deliveryId)) ?? stored;
    return settle(job, latest, { kind: 'retry', reason }, attempt, settings.settings, 0, 0);
  }
}

/**
 * Jira refused a read this attempt needed (a rate limit past `requestJira`'s retries, or the hourly
 * quota): the claim is given back and the same attempt comes again once Jira takes requests, in
 * hops of the platform's 900 s at most, with some jitter so limited jobs do not return together.
 */
async function waitForJira(job: DeliveryJob, stored: StoredRun, previous: number, error: JiraLimitedError): Promise<InvocationError> {
  const wait = waitInHops(withJitter(error.retryAfterSeconds));
  const now = Date.now();
  const back = new Date(now + (wait.firstSeconds + wait.hopsAfter * MAX_PLATFORM_DELAY_SECONDS) * 1000).toISOString();
  // The run says why it waits and until when (the panel shows it), and the scheduled check leaves it until then.
  await publishChange(
    stored.run.deliveryId,
    (run) => (SENDABLE.has(run.status) ? { ...run, sending: undefined, nextAttemptAt: back, updatedAt: new Date(now).toISOString(), reason: inEnglish({ key: 'reason.jiraLimit', params: { time: back.slice(11, 16) } }) } : undefined),
    stored,
    { mirror: false },
  );
  const data: DeliveryRetryData = { deliveryId: job.deliveryId, attempt: previous, ...(wait.hopsAfter > 0 ? { hopsLeft: wait.hopsAfter } : {}) };
  return new InvocationError({ retryAfter: wait.firstSeconds, retryReason: InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED, retryData: data });
}

/**
 * The run this attempt works on. A job from the issue trigger carries the new run: claiming it is
 * the exactly-once write, and nothing needs reading. When the claim exists already and this is no
 * retry of ours, the event came twice (or the trigger claimed it after a refused push and pushes
 * it again itself): this copy stops.
 */
async function claimOrRead(job: DeliveryJob, retried: boolean): Promise<{ stored: StoredRun; claimed: boolean } | undefined> {
  const read = async () => {
    const stored = await getRun(job.deliveryId);
    return stored ? { stored, claimed: false } : undefined;
  };
  if (!job.claim) return read();
  if (await claimRun(job.claim)) return { stored: { run: job.claim, version: 1 }, claimed: true };
  return retried ? read() : undefined;
}

/** How long a claimed attempt is left to the copy that claimed it: the consumer's 120 s and a margin. */
const CLAIM_HOLD_MS = 150_000;

/**
 * Claims `attempt` with a compare-and-set on the run: nothing is written (and nothing is sent) when
 * the run stopped being sendable, already records this attempt, or another copy claimed it less
 * than CLAIM_HOLD_MS ago. An older claim is a copy that died before recording: it is taken over.
 */
async function claimAttempt(stored: StoredRun, attempt: number): Promise<StoredRun | undefined> {
  const now = Date.now();
  return updateRun(
    stored.run.deliveryId,
    (run) => {
      if (!SENDABLE.has(run.status) || attemptCount(run) >= attempt) return undefined;
      if (run.sending && run.sending.attempt >= attempt && now - Date.parse(run.sending.at) < CLAIM_HOLD_MS) return undefined;
      return { ...run, sending: { attempt, at: new Date(now).toISOString() } };
    },
    stored,
  );
}

/** Every attempt after the first uses the settings as they are now, so a fix reaches runs in flight. */
async function currentSettings(run: DeliveryRun): Promise<{ settings?: EffectiveSettings; previousSecretUntil?: string; reason?: string }> {
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(run.projectId)]);
  const connection = effectiveSettings(global, project, run.projectId);
  if (!connection.ok) return { reason: connection.reason };
  return { settings: connection.settings, previousSecretUntil: connection.settings.secretScope.kind === 'global' ? global?.previousSecret?.until : undefined };
}

function hop(data: DeliveryRetryData): InvocationError {
  return new InvocationError({ retryAfter: MAX_PLATFORM_DELAY_SECONDS, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST, retryData: data });
}

async function deliverOnce(job: DeliveryJob, stored: StoredRun, attempt: number, settings: EffectiveSettings, previousSecretUntil: string | undefined): Promise<unknown> {
  const { run } = stored;
  const webhookUrl = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  const keys = await signingKeys(settings.secretScope, settings.keyEncoding, previousSecretUntil);
  if (!keys.ok) return record(stored, endRun(run, 'failed', keys.reason, Date.now(), 'configuration'));

  const read = await readIssueAsApp(run.issueId);
  if (read.kind === 'missing') return record(stored, endRun(run, 'skipped', inEnglish({ key: 'reason.issueGone' }), Date.now(), 'issue'));
  if (read.kind === 'error') return settle(job, stored, { kind: 'retry', reason: inEnglish({ key: 'reason.jiraUnreadable', params: { status: read.status } }) }, attempt, settings, 0, 0);
  // Moved to another project since the run began (a retry, a resume, a redelivery): the settings
  // and the panel it was started with are the old project's, so nothing is sent.
  const projectNow = read.issue.fields.project?.id;
  if (projectNow && String(projectNow) !== run.projectId) return record(stored, endRun(run, 'skipped', inEnglish({ key: 'reason.moved', params: { key: read.issue.key } }), Date.now(), 'issue'));

  cachedSiteUrl ??= await siteUrl();
  // The callback URL goes with every non-strict payload, so AI Ops can call back in any mode.
  const callbackUrl = settings.strictPayload ? undefined : await callbackUrlFor(run.issueId, run.deliveryId, settings.secretScope, settings.keyEncoding);
  const event = run.trigger === 'updated' ? 'updated' : run.trigger === 'test' ? 'test' : 'created';
  const sentAt = Date.now();
  const body = serialisePayload(buildPayload(read.issue, settings, { event, deliveryId: run.deliveryId, nowMs: sentAt, siteUrl: cachedSiteUrl, callbackUrl }));
  const headers = signRequest(body, keys.keys, run.deliveryId, Date.now());
  const started = Date.now();
  const answer = await postSigned(webhookUrl, body, { ...headers }, settings.requestTimeoutSeconds * 1000);
  const outcome = classifyAnswer(answer, Date.now(), { strictPayload: settings.strictPayload });
  // The secret it was signed with, which a callback must be signed with too (settings may have changed since the run began).
  const signed = { ...stored, run: { ...run, keyFingerprint: keyFingerprint(keys.keys[0]), secretScope: settings.secretScope, keyEncoding: settings.keyEncoding } };
  // What a run marker may name (the payload's timestamp) and whether customers may see its comment.
  const sent = { payloadTimestamp: new Date(sentAt).toISOString(), serviceDesk: read.issue.fields.project?.projectTypeKey === 'service_desk' };
  return settle(job, signed, outcome, attempt, settings, Date.now() - started, Buffer.byteLength(body), sent);
}

async function settle(
  job: DeliveryJob,
  stored: StoredRun,
  outcome: DeliveryOutcome,
  attempt: number,
  settings: EffectiveSettings,
  latencyMs: number,
  bytesSent: number,
  sent: { payloadTimestamp?: string; serviceDesk?: boolean } = {},
): Promise<unknown> {
  const now = Date.now();
  const step = nextStep(outcome, {
    attempt,
    attemptLimit: settings.attemptLimit,
    resumed: Boolean(job.resumed),
    createdAtMs: Date.parse(stored.run.createdAt),
    outageHorizonHours: settings.outageHorizonHours,
    nowMs: now,
  });
  const facts = {
    attempt,
    atMs: now,
    latencyMs,
    bytesSent,
    nextAttemptAtMs: step.next === 'retry' ? step.dueAtMs : undefined,
    result: { mode: settings.resultMode, account: settings.resultAccount, timeLimitMinutes: settings.resultTimeLimitMinutes, marker: settings.runMarker },
    settingsVersion: settings.settingsVersion,
    ...sent,
    ...(settings.autoApply ? { autoApply: settings.autoApply } : {}),
  };
  let next = recordAttempt(stored.run, outcome, facts);
  if (step.next === 'wait') next = markWaiting(next, step.recheckAtMs, now);
  if (step.next === 'fail' && outcome.kind === 'retry' && Date.now() - Date.parse(stored.run.createdAt) >= settings.outageHorizonHours * 3_600_000) {
    next = { ...next, reason: inEnglish({ key: 'reason.outageHorizon', params: { hours: settings.outageHorizonHours, reason: outcome.reason } }) };
  }
  next = { ...next, attemptLimit: settings.attemptLimit };
  const saved = await record(stored, next);
  if (step.next === 'retry') {
    const wait = waitInHops((step.dueAtMs - now) / 1000);
    const data: DeliveryRetryData = { deliveryId: job.deliveryId, attempt, ...(wait.hopsAfter > 0 ? { hopsLeft: wait.hopsAfter } : {}) };
    return new InvocationError({ retryAfter: wait.firstSeconds, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST, retryData: data });
  }
  if (saved?.run.status === 'accepted' && settings.resultMode === 'poll' && saved.run.executionId) {
    const poll: PollJob = { kind: 'poll', deliveryId: saved.run.deliveryId, settings, startedAt: new Date(now).toISOString(), polls: 0, known: saved };
    await enqueue(poll, pollDelaySeconds(1), settings.deliveryConcurrency);
  }
  return undefined;
}

/** Saves the run over the version this attempt read (merging if another writer came first). */
function record(stored: StoredRun, next: DeliveryRun): Promise<StoredRun | undefined> {
  return publishChange(
    next.deliveryId,
    // Someone accepted or cancelled the run meanwhile: their state stands.
    (current) => (SENDABLE.has(current.status) ? next : undefined),
    stored,
  );
}

async function pollStatus(job: PollJob): Promise<unknown> {
  // The run as the consumer wrote it: a write over a stale version re-reads and merges.
  const stored = job.known ?? (await getRun(job.deliveryId));
  if (!stored || !stored.run.executionId || !['accepted', 'running'].includes(stored.run.status)) return undefined;
  const { run } = stored;
  const { settings } = job;
  const executionId = run.executionId!;
  let latest: StoredRun = stored;
  const report = async (message: ResultMessage) => {
    const saved = await publishChange(run.deliveryId, (current) => applyResult(current, message, Date.now(), 'poll'), latest);
    if (saved) latest = saved;
    return saved;
  };
  const deadline = Date.parse(run.resultDeadline ?? job.startedAt) || Date.now();
  if (!settings.statusUrlTemplate) {
    await report({ executionId, status: 'timed-out', error: 'no status URL is configured, so the result cannot be fetched', cause: 'configuration' });
    return undefined;
  }
  const url = expandStatusUrl(settings.statusUrlTemplate, settings.aiopsBaseUrl, executionId);
  const authHeader = settings.statusAuthHeaderName ? await readSecret({ kind: 'global' }, 'status-auth') : undefined;
  const answer = await getStatus(url, settings.statusAuthHeaderName && authHeader ? { [settings.statusAuthHeaderName]: authHeader } : {}, settings.requestTimeoutSeconds * 1000);
  const reading = readStatusAnswer(answer, executionId);
  if (reading.kind === 'final') {
    await report(reading.message);
    return undefined;
  }
  if (reading.kind === 'pending' && reading.status === 'running' && run.status === 'accepted') await report({ executionId, status: 'running' });
  if (Date.now() >= deadline) {
    const why = reading.kind === 'unreadable' ? reading.reason : `the last status was "${reading.shownAs}"`;
    await report({ executionId, status: 'timed-out', error: `no result after ${settings.resultTimeLimitMinutes} minutes of polling; ${why}`, cause: reading.kind === 'unreadable' ? 'configuration' : 'agent' });
    return undefined;
  }
  await enqueue({ ...job, polls: job.polls + 1, known: latest }, pollDelaySeconds(job.polls + 2), settings.deliveryConcurrency);
  return undefined;
}

async function recordDiagnose(job: DiagnoseJob): Promise<undefined> {
  await recordDiagnoseConsumed(job.token);
  return undefined;
}
