/**
 * "Diagnose" on the admin page: on the real site, tries every platform behaviour the app relies on
 * that cannot be verified offline, and reports each as passed or failed with the platform's own
 * words. The page adds what only the browser can see (the egress approval state).
 */
import { randomUUID } from 'node:crypto';
import { route } from '@forge/api';
import { historyPath, readHistory } from '../core/aiops-lookup';
import { isCommentResult } from '../core/enhancement';
import type { Translate } from '../core/i18n';
import { jqlString } from '../core/jql-scope';
import { quotaReading, type QuotaReading } from '../core/rate-limit-headers';
import { getStatus, RESOLVER_REQUEST_CAP_MS } from '../forge/aiops-adapter';
import { diagnoseConsumedAt, probeSetOnce } from '../forge/diagnostics-store';
import { ISSUE_PROPERTY_KEY, JiraLimitedError, readIssueAsUser, readIssueProperty, searchIssuesAsUser, writeIssueProperty, deleteIssueProperty } from '../forge/jira-adapter';
import { requestJira } from '../forge/jira-request';
import { callbackBaseUrl, enqueue } from '../forge/platform';
import { listRunsByStatus } from '../forge/run-store';
import { loadGlobalSettings } from '../forge/settings-store';

export interface DiagnoseStep {
  key: 'egress-request' | 'kvs-set-once' | 'queue' | 'web-trigger' | 'issue-property' | 'aiops-lookup' | 'public-comments' | 'jira-quota';
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The finding in plain words. */
  plain?: string;
  /** What the platform said, for whoever has to dig. */
  detail: string;
}

const PLAIN: Record<DiagnoseStep['key'], string> = {
  'egress-request': 'egress',
  'kvs-set-once': 'setOnce',
  queue: 'queue',
  'web-trigger': 'webTrigger',
  'issue-property': 'property',
  'aiops-lookup': 'lookup',
  'public-comments': 'publicComments',
  'jira-quota': 'quota',
};

/** Each step's finding in plain words, beside what the platform said. */
function withPlain(step: DiagnoseStep, t: Translate): DiagnoseStep {
  const key = `diagnose.${PLAIN[step.key]}.plain.${step.status}`;
  const plain = t(key);
  return plain === key ? step : { ...step, plain };
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function egressRequest(t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.egress.title');
  const settings = await loadGlobalSettings();
  if (!settings) return { key: 'egress-request', title, status: 'skipped', detail: t('diagnose.egress.noUrl') };
  const url = `${settings.aiopsBaseUrl}/api/v1/health`;
  const answer = await getStatus(url, {}, Math.min(8000, RESOLVER_REQUEST_CAP_MS));
  switch (answer.kind) {
    case 'response':
      return { key: 'egress-request', title, status: 'passed', detail: t('diagnose.egress.passed', { url, status: answer.status }) };
    case 'egress-refused':
      return { key: 'egress-request', title, status: 'failed', detail: t('diagnose.egress.refused', { host: answer.host, code: answer.code }) };
    case 'timeout':
      return { key: 'egress-request', title, status: 'failed', detail: t('diagnose.egress.timeout', { url, seconds: answer.timeoutMs / 1000 }) };
    default:
      return { key: 'egress-request', title, status: 'failed', detail: t('diagnose.egress.unreachable', { url, problem: answer.message }) };
  }
}

async function setOnce(token: string, t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.setOnce.title');
  try {
    const probe = await probeSetOnce(token);
    const passed = probe.firstWrite === 'ok' && probe.secondWrite !== 'ok';
    const detail = passed
      ? t('diagnose.setOnce.passed', { second: `${probe.secondWrite}${probe.secondWriteCode ? ` (code ${probe.secondWriteCode})` : ''}` })
      : t('diagnose.setOnce.failed', { first: probe.firstWrite, second: probe.secondWrite });
    return { key: 'kvs-set-once', title, status: passed ? 'passed' : 'failed', detail };
  } catch (error) {
    return { key: 'kvs-set-once', title, status: 'failed', detail: message(error) };
  }
}

async function queueRoundTrip(token: string, t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.queue.title');
  try {
    await enqueue({ kind: 'diagnose', token });
  } catch (error) {
    return { key: 'queue', title, status: 'failed', detail: t('diagnose.queue.refused', { problem: message(error) }) };
  }
  const started = Date.now();
  while (Date.now() - started < 12_000) {
    const consumedAt = await diagnoseConsumedAt(token);
    if (consumedAt) return { key: 'queue', title, status: 'passed', detail: t('diagnose.queue.passed', { seconds: ((Date.parse(consumedAt) - started) / 1000).toFixed(1) }) };
    await sleep(1000);
  }
  return { key: 'queue', title, status: 'failed', detail: t('diagnose.queue.slow') };
}

async function webTriggerUrl(t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.webTrigger.title');
  try {
    const url = await callbackBaseUrl();
    const documented = /^https:\/\/[0-9a-f-]{36}\.webtrigger\.atlassian\.app\/public\/\S+$/i.test(url);
    return {
      key: 'web-trigger',
      title,
      status: 'passed',
      detail: t(documented ? 'diagnose.webTrigger.documented' : 'diagnose.webTrigger.other', { url }),
    };
  } catch (error) {
    return { key: 'web-trigger', title, status: 'failed', detail: message(error) };
  }
}

const propertyTitle = (t: Translate) => t('diagnose.property.title', { property: ISSUE_PROPERTY_KEY });

async function issueProperty(issueKey: unknown, t: Translate): Promise<DiagnoseStep> {
  const title = propertyTitle(t);
  if (typeof issueKey !== 'string' || issueKey.trim() === '') return { key: 'issue-property', title, status: 'skipped', detail: t('diagnose.property.enterKey') };
  const issue = await readIssueAsUser(issueKey.trim());
  if (!issue) return { key: 'issue-property', title, status: 'failed', detail: t('diagnose.property.noIssue', { key: issueKey.trim() }) };
  const before = await readIssueProperty(issue.id);
  const probe = before ?? { status: 'diagnose', deliveryId: 'diagnose', updatedAt: new Date().toISOString() };
  try {
    if (!(await writeIssueProperty(issue.id, probe))) return { key: 'issue-property', title, status: 'failed', detail: t('diagnose.property.writeRefused') };
    // The property's status is whatever anyone who can edit the issue wrote: quoted, never spliced in.
    const jql = `key = ${jqlString(issue.key)} AND ticketEnhancerStatus = ${jqlString(String(probe.status))}`;
    // Jira indexes properties shortly after they are written.
    for (let tries = 0; tries < 4; tries += 1) {
      const found = await searchIssuesAsUser(jql, 1);
      if (!found.ok) return { key: 'issue-property', title, status: 'failed', detail: t('diagnose.property.searchFailed', { jql, problem: found.reason }) };
      if (found.issues.length > 0) return { key: 'issue-property', title, status: 'passed', detail: t('diagnose.property.passed', { jql }) };
      await sleep(1500);
    }
    return { key: 'issue-property', title, status: 'failed', detail: t('diagnose.property.notFound', { jql }) };
  } finally {
    if (!before) await deleteIssueProperty(issue.id);
  }
}

/** Whether AI Ops' execution records can be read (one history request; nothing is sent). */
async function lookupWorks(t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.lookup.title');
  const settings = await loadGlobalSettings();
  if (!settings) return { key: 'aiops-lookup', title, status: 'skipped', detail: t('diagnose.egress.noUrl') };
  const path = historyPath(settings.agentId, Date.now()).replace(/limit=\d+/, 'limit=1');
  const answer = await getStatus(`${settings.aiopsBaseUrl}${path}`, { 'X-Tenant-ID': settings.tenantId }, Math.min(8000, RESOLVER_REQUEST_CAP_MS));
  const read = readHistory(answer);
  const setting = t(settings.aiopsLookup ? 'diagnose.lookup.on' : 'diagnose.lookup.off');
  if (read.ok) return { key: 'aiops-lookup', title, status: 'passed', detail: `${t('diagnose.lookup.passed', { path })} ${setting}` };
  return { key: 'aiops-lookup', title, status: 'failed', detail: `${t(read.unavailable ? 'diagnose.lookup.unavailable' : 'diagnose.lookup.failed', { path, problem: read.reason })} ${setting}` };
}

/** Results on service requests posted as comments customers can see (the last 100 completed runs). */
async function publicComments(t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.publicComments.title');
  const completed = await listRunsByStatus('completed', {}, new Date(Date.now() - 30 * 24 * 3_600_000).toISOString(), 100);
  const requests = completed.runs.filter((run) => run.serviceDesk && isCommentResult(run.result));
  if (requests.length === 0) return { key: 'public-comments', title, status: 'skipped', detail: t('diagnose.publicComments.none') };
  const visible = requests.filter((run) => isCommentResult(run.result) && run.result.customerVisible);
  if (visible.length === 0) return { key: 'public-comments', title, status: 'passed', detail: t('diagnose.publicComments.passed', { n: requests.length }) };
  const keys = visible.slice(0, 5).map((run) => run.issueKey).join(', ');
  return { key: 'public-comments', title, status: 'failed', detail: t('diagnose.publicComments.failed', { n: visible.length, of: requests.length, keys }) };
}

/**
 * Jira's hourly points quota for the app, as one answer's headers report it: which pool (Tier 1 is
 * shared by every site of the app), and whether little is left ("Rate limiting", Jira Cloud platform).
 */
async function jiraQuota(t: Translate): Promise<DiagnoseStep> {
  const title = t('diagnose.quota.title');
  let reading: QuotaReading | undefined;
  try {
    // One cheap answer (2 points) whose headers say which pool the app is in and how much is left.
    const response = await requestJira('app', route`/rest/api/3/serverInfo`, { headers: { Accept: 'application/json' } });
    reading = quotaReading((name) => response.headers.get(name));
  } catch (error) {
    if (error instanceof JiraLimitedError && error.quota) return { key: 'jira-quota', title, status: 'failed', detail: t('jiraLimit.quota', { time: error.untilIso.slice(11, 16) }) };
    throw error;
  }
  if (!reading) return { key: 'jira-quota', title, status: 'skipped', detail: t('diagnose.quota.noHeaders') };
  const pool = t(reading.policy === 'tenant-app-quota' ? 'diagnose.quota.tenant' : 'diagnose.quota.global', { q: reading.quota ?? '?' });
  const minutes = Math.ceil((reading.resetSeconds ?? 0) / 60);
  if (reading.remaining !== undefined) return { key: 'jira-quota', title, status: 'failed', detail: `${pool} ${t('diagnose.quota.near', { r: reading.remaining, minutes })}` };
  return { key: 'jira-quota', title, status: 'passed', detail: `${pool} ${t('diagnose.quota.within', { minutes })}` };
}

/** Titles and findings worded with `t`, the reader's locale; the platform's own words stay as given. */
export async function runDiagnose(issueKey: unknown, t: Translate): Promise<{ steps: DiagnoseStep[] }> {
  const token = randomUUID();
  const guard = (step: DiagnoseStep['key'], title: string) => (error: unknown): DiagnoseStep => ({ key: step, title, status: 'failed', detail: message(error) });
  const steps = await Promise.all([
    egressRequest(t).catch(guard('egress-request', t('diagnose.egress.title'))),
    setOnce(token, t),
    queueRoundTrip(token, t),
    webTriggerUrl(t),
    issueProperty(issueKey, t).catch(guard('issue-property', propertyTitle(t))),
    lookupWorks(t).catch(guard('aiops-lookup', t('diagnose.lookup.title'))),
    publicComments(t).catch(guard('public-comments', t('diagnose.publicComments.title'))),
    jiraQuota(t).catch(guard('jira-quota', t('diagnose.quota.title'))),
  ]);
  return { steps: steps.map((step) => withPlain(step, t)) };
}
