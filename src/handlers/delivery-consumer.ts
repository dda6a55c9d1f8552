/**
 * The delivery queue's consumer: sends one issue to AI Ops (read, build, sign, POST, record), asks
 * the platform for a retry with backoff while attempts remain, and polls the status URL when
 * results come back by pull.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { backoffSeconds, classifyAnswer, type DeliveryOutcome } from '../core/delivery-policy';
import type { DeliveryJob, PollJob, QueueJob } from '../core/delivery-job';
import { endRun, recordAttempt, resultFact, type DeliveryRun, type ResultMessage } from '../core/enhancement';
import { buildPayload, serialisePayload } from '../core/payload';
import { expandStatusUrl } from '../core/settings';
import { signRequest } from '../core/signing';
import { pollDelaySeconds, readStatusAnswer } from '../core/status-poll';
import { egressApproved, getStatus, postSigned } from '../forge/aiops-adapter';
import { readIssueAsApp, siteUrl } from '../forge/jira-adapter';
import { callbackUrlFor, enqueue } from '../forge/platform';
import { publishFact, publishRun } from '../forge/run-publisher';
import { readSecret } from '../forge/settings-store';
import { signingKeys } from '../forge/signing-keys';

interface AsyncEvent {
  body: QueueJob;
  retryContext?: { retryCount: number; retryReason: string; retryData?: { run?: DeliveryRun } };
}

let cachedSiteUrl: string | undefined;

export async function deliverIssue(event: AsyncEvent): Promise<unknown> {
  const job = event.body;
  if (job.kind === 'poll') return pollStatus(job);
  const run = event.retryContext?.retryData?.run ?? job.run;
  const attempt = run.attempts.length + 1;
  try {
    return await deliverOnce(job, run, attempt);
  } catch (error) {
    // An unexpected failure still counts as an attempt, so the attempt limit always ends the run.
    const reason = `internal error while delivering: ${error instanceof Error ? error.message : String(error)}`;
    return settle(job, run, { kind: 'retry', reason }, attempt, 0, 0);
  }
}

async function deliverOnce(job: DeliveryJob, run: DeliveryRun, attempt: number): Promise<unknown> {
  const { settings } = job;
  const webhookUrl = `${settings.aiopsBaseUrl}/webhook/agents/${encodeURIComponent(settings.agentId)}/webhook`;
  if (!egressApproved(webhookUrl)) {
    const host = new URL(webhookUrl).host;
    return record(endRun(run, 'failed', `egress to ${host} is not approved: a Jira admin must approve it on the app's admin page; nothing was sent`, Date.now()));
  }
  const keys = await signingKeys(settings.secretScope, settings.keyEncoding, job.previousSecretUntil);
  if (!keys.ok) return record(endRun(run, 'failed', keys.reason, Date.now()));

  const read = await readIssueAsApp(run.issueId);
  if (read.kind === 'missing') return record(endRun(run, 'skipped', 'the issue was deleted (or the app lost access) before it could be sent', Date.now()));
  if (read.kind === 'error') return settle(job, run, { kind: 'retry', reason: `Jira could not be read (${read.status})` }, attempt, 0, 0);

  cachedSiteUrl ??= await siteUrl();
  const callbackUrl = settings.resultMode === 'callback' ? await callbackUrlFor(run.projectId, run.issueId, run.deliveryId) : undefined;
  const body = serialisePayload(
    buildPayload(read.issue, settings, { event: run.trigger === 'updated' ? 'updated' : 'created', deliveryId: run.deliveryId, nowMs: Date.now(), siteUrl: cachedSiteUrl, callbackUrl }),
  );
  const headers = signRequest(body, keys.keys, run.deliveryId, Date.now());
  const started = Date.now();
  const answer = await postSigned(webhookUrl, body, { ...headers }, settings.requestTimeoutSeconds * 1000);
  const outcome = classifyAnswer(answer, Date.now());
  return settle(job, run, outcome, attempt, Date.now() - started, Buffer.byteLength(body));
}

async function settle(job: DeliveryJob, run: DeliveryRun, outcome: DeliveryOutcome, attempt: number, latencyMs: number, bytesSent: number): Promise<unknown> {
  const now = Date.now();
  const again = outcome.kind === 'retry' && attempt < job.settings.attemptLimit;
  const delay = again ? backoffSeconds(attempt + 1, outcome.retryAfterSeconds) : 0;
  const next = recordAttempt(run, outcome, { attempt, atMs: now, latencyMs, bytesSent, nextAttemptAtMs: again ? now + delay * 1000 : undefined });
  await record(next);
  if (again) {
    return new InvocationError({ retryAfter: delay, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST, retryData: { run: next } });
  }
  if (next.status === 'accepted' && job.settings.resultMode === 'poll' && next.executionId) {
    const poll: PollJob = { kind: 'poll', run: next, settings: job.settings, startedAt: new Date(now).toISOString(), polls: 0 };
    await enqueue(poll, pollDelaySeconds(1));
  }
  return undefined;
}

/** Saves the run, mirrors it into the issue property and tells open panels. */
async function record(run: DeliveryRun): Promise<undefined> {
  await publishRun(run);
  return undefined;
}

async function pollStatus(job: PollJob): Promise<undefined> {
  const { settings, run } = job;
  const executionId = run.executionId!;
  const report = (message: ResultMessage) => publishFact(run, resultFact(run.deliveryId, message, Date.now(), 'poll'));

  const elapsedMin = (Date.now() - Date.parse(job.startedAt)) / 60_000;
  if (!settings.statusUrlTemplate) {
    await report({ executionId, status: 'timed-out', error: 'no status URL is configured, so the result cannot be fetched' });
    return undefined;
  }
  const url = expandStatusUrl(settings.statusUrlTemplate, settings.aiopsBaseUrl, executionId);
  const authHeader = settings.statusAuthHeaderName ? await readSecret({ kind: 'global' }, 'status-auth') : undefined;
  const answer = egressApproved(url)
    ? await getStatus(url, settings.statusAuthHeaderName && authHeader ? { [settings.statusAuthHeaderName]: authHeader } : {}, settings.requestTimeoutSeconds * 1000)
    : ({ kind: 'network-error', message: `egress to ${new URL(url).host} is not approved` } as const);
  const reading = readStatusAnswer(answer, executionId);
  if (reading.kind === 'final') {
    await report(reading.message);
    return undefined;
  }
  if (reading.kind === 'pending' && reading.status === 'running') await report({ executionId, status: 'running' });
  if (elapsedMin >= settings.pollTimeLimitMinutes) {
    const why = reading.kind === 'unreadable' ? reading.reason : `the last status was "${reading.shownAs}"`;
    await report({ executionId, status: 'timed-out', error: `no result after ${settings.pollTimeLimitMinutes} minutes of polling; ${why}` });
    return undefined;
  }
  await enqueue({ ...job, polls: job.polls + 1 }, pollDelaySeconds(job.polls + 2));
  return undefined;
}

