/**
 * "Diagnose" on the admin page: on the real site, tries every platform behaviour the app relies on
 * that cannot be verified offline, and reports each as passed or failed with the platform's own
 * words. The page adds what only the browser can see (the egress approval state).
 */
import { randomUUID } from 'node:crypto';
import { getStatus, RESOLVER_REQUEST_CAP_MS } from '../forge/aiops-adapter';
import { diagnoseConsumedAt, probeSetOnce } from '../forge/diagnostics-store';
import { ISSUE_PROPERTY_KEY, readIssueAsUser, readIssueProperty, searchIssuesAsUser, writeIssueProperty, deleteIssueProperty } from '../forge/jira-adapter';
import { callbackBaseUrl, enqueue } from '../forge/platform';
import { loadGlobalSettings } from '../forge/settings-store';

export interface DiagnoseStep {
  key: 'egress-request' | 'kvs-set-once' | 'queue' | 'web-trigger' | 'issue-property';
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function egressRequest(): Promise<DiagnoseStep> {
  const title = 'A request to the AI Ops health URL through Forge egress';
  const settings = await loadGlobalSettings();
  if (!settings) return { key: 'egress-request', title, status: 'skipped', detail: 'Save the AI Ops base URL first.' };
  const url = `${settings.aiopsBaseUrl}/api/v1/health`;
  const answer = await getStatus(url, {}, Math.min(8000, RESOLVER_REQUEST_CAP_MS));
  switch (answer.kind) {
    case 'response':
      return { key: 'egress-request', title, status: 'passed', detail: `Forge let the request through; ${url} answered ${answer.status}.` };
    case 'egress-refused':
      return { key: 'egress-request', title, status: 'failed', detail: `Forge refused the request to ${answer.host}: forge-proxy-error ${answer.code}.` };
    case 'timeout':
      return { key: 'egress-request', title, status: 'failed', detail: `${url} did not answer within ${answer.timeoutMs / 1000} s (the platform let the request out).` };
    default:
      return { key: 'egress-request', title, status: 'failed', detail: `${url} could not be reached: ${answer.message}.` };
  }
}

async function setOnce(token: string): Promise<DiagnoseStep> {
  const title = 'Storage: a write with FAIL_IF_EXISTS, twice';
  try {
    const probe = await probeSetOnce(token);
    const passed = probe.firstWrite === 'ok' && probe.secondWrite !== 'ok';
    const detail = passed
      ? `The first write succeeded and the second was refused: ${probe.secondWrite}${probe.secondWriteCode ? ` (code ${probe.secondWriteCode})` : ''}. Duplicate events are claimed once.`
      : `First write: ${probe.firstWrite}; second write: ${probe.secondWrite}. A duplicate event would not be recognised.`;
    return { key: 'kvs-set-once', title, status: passed ? 'passed' : 'failed', detail };
  } catch (error) {
    return { key: 'kvs-set-once', title, status: 'failed', detail: message(error) };
  }
}

async function queueRoundTrip(token: string): Promise<DiagnoseStep> {
  const title = 'The delivery queue: a push, consumed by the delivery function';
  try {
    await enqueue({ kind: 'diagnose', token });
  } catch (error) {
    return { key: 'queue', title, status: 'failed', detail: `The push was refused: ${message(error)}` };
  }
  const started = Date.now();
  while (Date.now() - started < 12_000) {
    const consumedAt = await diagnoseConsumedAt(token);
    if (consumedAt) return { key: 'queue', title, status: 'passed', detail: `Pushed and consumed within ${((Date.parse(consumedAt) - started) / 1000).toFixed(1)} s.` };
    await sleep(1000);
  }
  return { key: 'queue', title, status: 'failed', detail: 'The push was accepted but not consumed within 12 s (the queue may be busy; try again).' };
}

async function webTriggerUrl(): Promise<DiagnoseStep> {
  const title = 'The callback web trigger URL';
  try {
    const url = await callbackBaseUrl();
    const documented = /^https:\/\/[0-9a-f-]{36}\.webtrigger\.atlassian\.app\/public\/\S+$/i.test(url);
    return {
      key: 'web-trigger',
      title,
      status: 'passed',
      detail: `${url}${documented ? ' (the documented v2 form)' : ' (not the documented v2 form https://<id>.webtrigger.atlassian.app/public/<id>; callbacks still use it as given)'}`,
    };
  } catch (error) {
    return { key: 'web-trigger', title, status: 'failed', detail: message(error) };
  }
}

async function issueProperty(issueKey: unknown): Promise<DiagnoseStep> {
  const title = `The issue property "${ISSUE_PROPERTY_KEY}" and its JQL alias`;
  if (typeof issueKey !== 'string' || issueKey.trim() === '') return { key: 'issue-property', title, status: 'skipped', detail: 'Enter an issue key to test the property and its search.' };
  const issue = await readIssueAsUser(issueKey.trim());
  if (!issue) return { key: 'issue-property', title, status: 'failed', detail: `There is no issue ${issueKey.trim()} that you can see.` };
  const before = await readIssueProperty(issue.id);
  const probe = before ?? { status: 'diagnose', deliveryId: 'diagnose', updatedAt: new Date().toISOString() };
  try {
    if (!(await writeIssueProperty(issue.id, probe))) return { key: 'issue-property', title, status: 'failed', detail: 'Jira refused to write the issue property.' };
    const jql = `key = ${issue.key} AND ticketEnhancerStatus = "${probe.status}"`;
    // Jira indexes properties shortly after they are written.
    for (let tries = 0; tries < 4; tries += 1) {
      const found = await searchIssuesAsUser(jql, 1);
      if (!found.ok) return { key: 'issue-property', title, status: 'failed', detail: `The search ${jql} failed: ${found.reason}` };
      if (found.issues.length > 0) return { key: 'issue-property', title, status: 'passed', detail: `Written, and found by ${jql}.` };
      await sleep(1500);
    }
    return { key: 'issue-property', title, status: 'failed', detail: `Written, but ${jql} found nothing within 6 s: is the app's jira:entityProperty module deployed?` };
  } finally {
    if (!before) await deleteIssueProperty(issue.id);
  }
}

export async function runDiagnose(issueKey: unknown): Promise<{ steps: DiagnoseStep[] }> {
  const token = randomUUID();
  const guard = (step: DiagnoseStep['key'], title: string) => (error: unknown): DiagnoseStep => ({ key: step, title, status: 'failed', detail: message(error) });
  const steps = await Promise.all([
    egressRequest().catch(guard('egress-request', 'A request to the AI Ops health URL through Forge egress')),
    setOnce(token),
    queueRoundTrip(token),
    webTriggerUrl(),
    issueProperty(issueKey).catch(guard('issue-property', `The issue property "${ISSUE_PROPERTY_KEY}" and its JQL alias`)),
  ]);
  return { steps };
}
