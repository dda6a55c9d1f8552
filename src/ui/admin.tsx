/**
 * The Jira admin page, read top to bottom like a setup wizard: connect (URL, egress, agent, secret,
 * check), results (mode, account, test), delivery options, then projects, deliveries and the
 * first-deploy self-check. Every action answers next to the control that started it.
 */
import React, { useCallback, useState } from 'react';
import ForgeReconciler, { Box, Button, Code, DynamicTable, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text, Textfield, UserPicker } from '@forge/react';
import { permissions, type EgressSetPayload } from '@forge/bridge';
import type { CheckStep } from '../core/connection-test';
import type { RunSummary } from '../core/panel-view';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import type { GlobalSettings } from '../core/settings';
import { BulkSection } from './bulk-section';
import { InsightsSection, type ReasonFilter } from './insights';
import type { Insights } from '../core/outcome-stats';
import { call } from './call';
import { useScreenLoad } from './use-load';
import { DeliveriesTable } from './deliveries-table';
import { Feedback, UnlicensedNotice, type FeedbackMessage } from './feedback';
import { SelectField, TextField, ToggleField, type FieldError } from './fields';

type Settings = Omit<GlobalSettings, 'version'> & { version?: number };

interface AdminView {
  settings: Settings | null;
  callbackUrl: string;
  statusAuthConfigured: boolean;
  projects: Array<{ projectId: string; projectKey: string; projectName?: string; enabled: boolean; events: { created: boolean; updated: boolean }; overrides: boolean }>;
  deliveries: RunSummary[];
  deliveriesCursor: string | null;
  insights: Insights;
  storage: { retentionDays: number; runs: number; bytes: number; oldest: string | null; countedUntil: string | null; retentionRanAt: string | null };
}

interface TestStatus {
  done: boolean;
  ok?: boolean;
  title: string;
  detail: string;
  suggestedAccount?: { accountId: string; displayName?: string };
}

interface DiagnoseStep {
  key: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
}

// The bridge types this as an enum from @forge/egress; the value on the wire is this string.
const BACKEND_FETCH = 'FETCH_BACKEND_SIDE' as EgressSetPayload['egresses'][number]['configured'][number]['type'][number];
const EGRESS_KEY_PREFIX = 'aiops-';

/** A short stable key per origin, so a changed host gets its own egress group and the old one is removed. */
function egressKey(origin: string): string {
  let hash = 0x811c9dc5;
  for (const char of origin) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${EGRESS_KEY_PREFIX}${hash.toString(16).padStart(8, '0')}`;
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** A cleared number field is held as NaN (so validation names it) and shown empty. */
const numberText = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : String(value));

const EMPTY: Settings = { aiopsBaseUrl: '', agentId: '', tenantId: '', ...CONNECTION_DEFAULTS };

type NumberKey = 'attemptLimit' | 'requestTimeoutSeconds' | 'resultTimeLimitMinutes' | 'deliveryConcurrency' | 'outageHorizonHours' | 'retentionDays';

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

function checkFeedback(steps: CheckStep[]): FeedbackMessage {
  const ok = steps.every((step) => step.ok);
  return { appearance: ok ? 'success' : 'error', title: ok ? 'Connected' : steps.find((step) => !step.ok)!.title, lines: steps.map((step) => `${step.ok ? '✓' : '✗'} ${step.title}: ${step.detail}`) };
}

function App() {
  const [view, setView] = useState<AdminView>();
  const [form, setForm] = useState<Settings>(EMPTY);
  const [secret, setSecret] = useState('');
  const [statusAuthValue, setStatusAuthValue] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [feedback, setFeedback] = useState<Record<string, FeedbackMessage | undefined>>({});
  const [reasonFilter, setReasonFilter] = useState<ReasonFilter>();
  const [busy, setBusy] = useState<string>();
  const [approvedOrigin, setApprovedOrigin] = useState<string | null>();
  const [testIssue, setTestIssue] = useState('');
  const [purgeConfirm, setPurgeConfirm] = useState('');
  const [diagnoseIssue, setDiagnoseIssue] = useState('');
  const [diagnosis, setDiagnosis] = useState<DiagnoseStep[]>();

  const say = (control: string, message: FeedbackMessage | undefined) => setFeedback((f) => ({ ...f, [control]: message }));

  /** The approval state is only visible in the browser: `permissions.egress.get` (customer-managed egress). */
  const readEgress = useCallback(async (baseUrl: string | undefined) => {
    const origin = originOf(baseUrl);
    if (!origin) return setApprovedOrigin(null);
    try {
      const answer = await permissions.egress.get({});
      const approved = (answer?.results ?? []).some((group) => group.configured.some((entry) => originOf(entry.domain) === origin && (entry.type as string[]).includes('FETCH_BACKEND_SIDE')));
      setApprovedOrigin(approved ? origin : null);
    } catch {
      setApprovedOrigin(null);
    }
  }, []);

  const show = useCallback(
    (next: AdminView) => {
      setView(next);
      setForm({ ...EMPTY, ...(next.settings ?? {}) });
      void readEgress(next.settings?.aiopsBaseUrl);
    },
    [readEgress],
  );

  const { reload, loadError, unlicensed } = useScreenLoad<AdminView>(show);

  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const num = (key: NumberKey) => (value: string) => set(key)((value === '' ? Number.NaN : Number(value)) as never);

  const runCheck = async (control: string) => {
    say(control, { appearance: 'information', title: 'Checking the connection…', lines: [] });
    const check = await call<{ ok: boolean; steps: CheckStep[] }>('checkConnection');
    say(control, checkFeedback(check.steps));
  };

  const save = async (control: string) => {
    setBusy(control);
    say(control, undefined);
    say('check', undefined);
    say('save-delivery-check', undefined);
    try {
      const { secret: _s, previousSecret: _p, version: _v, ...settings } = form;
      const answer = await call<{ ok: boolean; errors?: FieldError[]; view?: AdminView; secretChange?: string }>('save', { settings, secret, statusAuthValue });
      setErrors(answer.errors ?? []);
      if (!answer.ok || !answer.view) {
        say(control, { appearance: 'error', title: 'Not saved', lines: ['Correct the fields marked in red; every problem is listed beside its field.'] });
        return;
      }
      show(answer.view);
      setSecret('');
      setStatusAuthValue('');
      const lines = ['The settings are saved.'];
      if (answer.secretChange === 'rotating') lines.push('The new secret signs every delivery from now on. For 24 hours the old secret also signs the Standard Webhooks header, so a receiver that checks it can switch over; end that early below.');
      if (answer.secretChange === 'unchanged') lines.push('The secret you entered is the one already saved: nothing changed.');
      const origin = originOf(answer.view.settings?.aiopsBaseUrl);
      const egress = await permissions.egress.get({}).catch(() => undefined);
      const approved = (egress?.results ?? []).some((group) => group.configured.some((entry) => originOf(entry.domain) === origin));
      if (!approved) lines.push(`Egress to ${origin} is not approved yet: deliveries fail until it is. Use "Approve egress" next to the URL.`);
      say(control, { appearance: approved ? 'success' : 'warning', title: 'Saved', lines });
      // The check after a save answers where that save's section shows its checks.
      if (approved && control !== 'save-retention') await runCheck(control === 'save-connection' ? 'check' : `${control}-check`);
    } catch (e) {
      say(control, { appearance: 'error', title: 'Not saved', lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const check = async () => {
    setBusy('check');
    say('save-delivery-check', undefined);
    try {
      await runCheck('check');
    } catch (e) {
      say('check', { appearance: 'error', title: 'The check could not run', lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const approveEgress = async () => {
    const origin = originOf(view?.settings?.aiopsBaseUrl);
    if (!origin) return;
    setBusy('egress');
    say('egress', undefined);
    try {
      const key = egressKey(origin);
      const existing = await permissions.egress.get({});
      if (!(existing?.results ?? []).some((group) => group.key === key)) {
        await permissions.egress.set({ egresses: [{ key, description: 'The AI Ops API that receives Jira issues', configured: [{ domain: origin, type: [BACKEND_FETCH] }] }] });
      }
      // Approvals of earlier AI Ops hosts are removed once the new one is in place.
      for (const group of existing?.results ?? []) if (group.key.startsWith(EGRESS_KEY_PREFIX) && group.key !== key) await permissions.egress.deleteGroup({ key: group.key });
      await readEgress(origin);
      say('egress', { appearance: 'success', title: 'Egress approved', lines: [`The app may now send to ${origin}.`] });
    } catch (e) {
      say('egress', { appearance: 'error', title: 'Egress not approved', lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const purge = async () => {
    setBusy('purge');
    try {
      const answer = await call<{ started: boolean; reason?: string }>('purgeData', { confirm: purgeConfirm });
      say('purge', answer.started ? { appearance: 'information', title: 'Deleting', lines: ['Everything the app stored on this site is being deleted in the background; reload the page in a minute.'] } : { appearance: 'warning', title: 'Not started', lines: [answer.reason ?? ''] });
      setPurgeConfirm('');
    } catch (e) {
      say('purge', { appearance: 'error', title: 'Not started', lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const sendTest = async () => {
    setBusy('test');
    say('test', { appearance: 'information', title: 'Sending the test issue…', lines: [] });
    try {
      const started = await call<{ started: boolean; reason?: string; deliveryId?: string }>('sendTestIssue', { issueKey: testIssue });
      if (!started.started || !started.deliveryId) {
        say('test', { appearance: 'error', title: 'Not sent', lines: [started.reason ?? 'No reason was given.'] });
        return;
      }
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const status = await call<TestStatus>('testStatus', { deliveryId: started.deliveryId });
        say('test', {
          appearance: status.done ? (status.ok ? 'success' : 'warning') : 'information',
          title: status.title,
          lines: [status.detail],
          busy: !status.done,
          action: status.suggestedAccount
            ? { label: `Use ${status.suggestedAccount.displayName ?? status.suggestedAccount.accountId} as the AI Ops account`, run: () => set('resultAccount')(status.suggestedAccount) }
            : undefined,
        });
        if (status.done) break;
      }
    } catch (e) {
      say('test', { appearance: 'error', title: 'The test stopped', lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const endGrace = async () => {
    setBusy('grace');
    try {
      const answer = await call<{ view: AdminView }>('endSecretGrace');
      show(answer.view);
      say('grace', { appearance: 'success', title: 'Only the new secret signs now', lines: [] });
    } finally {
      setBusy(undefined);
    }
  };

  const moreDeliveries = async () => {
    if (!view?.deliveriesCursor) return;
    setBusy('more');
    try {
      const page = await call<{ deliveries: RunSummary[]; deliveriesCursor: string | null }>('deliveries', { cursor: view.deliveriesCursor });
      setView({ ...view, deliveries: [...view.deliveries, ...page.deliveries], deliveriesCursor: page.deliveriesCursor });
    } finally {
      setBusy(undefined);
    }
  };

  const diagnose = async () => {
    setBusy('diagnose');
    setDiagnosis(undefined);
    try {
      const answer = await call<{ steps: DiagnoseStep[] }>('diagnose', { issueKey: diagnoseIssue });
      const origin = originOf(view?.settings?.aiopsBaseUrl);
      const request = answer.steps.find((step) => step.key === 'egress-request');
      const browser: DiagnoseStep = {
        key: 'egress-state',
        title: 'Egress approval as Jira reports it, against an actual request',
        status: !origin ? 'skipped' : (approvedOrigin === origin) === (request?.status === 'passed') ? 'passed' : 'failed',
        detail: `Jira says ${origin ?? 'the AI Ops host'} is ${approvedOrigin === origin ? '' : 'not '}approved; the request ${request?.status === 'passed' ? 'went through' : 'did not go through'}.`,
      };
      setDiagnosis([browser, ...answer.steps]);
    } catch (e) {
      setDiagnosis([{ key: 'error', title: 'Diagnose could not run', status: 'failed', detail: e instanceof Error ? e.message : String(e) }]);
    } finally {
      setBusy(undefined);
    }
  };

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (loadError && !view) {
    return (
      <SectionMessage appearance="error" title="You cannot configure the AI Ops Ticket Enhancer">
        <Stack space="space.100">
          <Text>{`Only Jira admins can open this page (${loadError}).`}</Text>
          <Inline>
            <Button onClick={() => void reload()}>Try again</Button>
          </Inline>
        </Stack>
      </SectionMessage>
    );
  }
  if (!view) return <Spinner label="Loading settings" />;
  const secretInfo = view.settings?.secret;
  const savedOrigin = originOf(view.settings?.aiopsBaseUrl);
  const account = form.resultAccount;
  return (
    <Stack space="space.400">
      <Heading size="large">AI Ops Ticket Enhancer</Heading>

      <Stack space="space.200">
        <Heading size="medium">1. Connect to AI Ops</Heading>
        <TextField name="aiopsBaseUrl" label="AI Ops base URL" value={form.aiopsBaseUrl} onChange={set('aiopsBaseUrl')} errors={errors} help="The address of your AI Ops API, for example https://aiops.example.com. Deliveries go to {URL}/webhook/agents/{agent id}/webhook." />
        {savedOrigin ? (
          <Stack space="space.050">
            <Inline space="space.100" alignBlock="center">
              <Text>{`Egress to ${savedOrigin}:`}</Text>
              {approvedOrigin === undefined ? <Spinner size="small" label="Reading the approval" /> : <Lozenge appearance={approvedOrigin === savedOrigin ? 'success' : 'removed'}>{approvedOrigin === savedOrigin ? 'Approved' : 'Not approved'}</Lozenge>}
              {approvedOrigin !== undefined && approvedOrigin !== savedOrigin ? (
                <Button onClick={() => void approveEgress()} isDisabled={busy !== undefined}>
                  {busy === 'egress' ? 'Waiting for approval…' : 'Approve egress'}
                </Button>
              ) : null}
            </Inline>
            <Feedback message={feedback.egress} />
          </Stack>
        ) : (
          <Text>Save the base URL, then approve egress to it: Jira asks a site admin to confirm that the app may send issues there.</Text>
        )}
        <TextField name="agentId" label="Agent id" value={form.agentId} onChange={set('agentId')} errors={errors} help="In AI Ops: Agent Management > your Ticket Enhancer agent > Webhook. The webhook URL ends with this id (a UUID)." />
        <TextField name="tenantId" label="Tenant id" value={form.tenantId} onChange={set('tenantId')} errors={errors} help="Your AI Ops tenant; it is sent as tenant_id with every issue." />
        <TextField
          name="secret"
          label="HMAC secret"
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          placeholder={secretInfo ? 'Leave empty to keep the current secret' : 'Paste the agent webhook secret'}
          help={
            secretInfo
              ? `Configured (fingerprint ${secretInfo.fingerprint}, set ${new Date(secretInfo.setAt).toLocaleString()}${secretInfo.provenAt ? ', accepted by AI Ops' : ''}). It is never shown again.`
              : 'In AI Ops: the agent\'s Webhook settings show the secret once, when it is generated. It is stored encrypted and never shown again.'
          }
        />
        {view.settings?.previousSecret ? (
          <SectionMessage appearance="information" title="Switching to the new secret">
            <Stack space="space.100">
              <Text>{`Deliveries are signed with the new secret. Until ${new Date(view.settings.previousSecret.until).toLocaleString()} the previous one (fingerprint ${view.settings.previousSecret.fingerprint}) also signs them, so a receiver that still has it keeps accepting them.`}</Text>
              <Inline>
                <Button onClick={() => void endGrace()} isDisabled={busy !== undefined}>
                  Stop signing with the previous secret now
                </Button>
              </Inline>
              <Feedback message={feedback.grace} />
            </Stack>
          </SectionMessage>
        ) : null}
        <SelectField
          name="keyEncoding"
          label="Key encoding"
          options={[
            { label: 'base64: the secret is base64-decoded (AI Ops; recommended)', value: 'base64' },
            { label: 'utf8: the secret text itself is the key (GitHub-style receivers)', value: 'utf8' },
          ]}
          value={[form.keyEncoding]}
          onChange={(v) => set('keyEncoding')((v[0] ?? 'base64') as Settings['keyEncoding'])}
          errors={errors}
          help="Keep base64 for AI Ops: its server decodes the secret before signing. If the check below says the secret does not match, the secret is wrong, not the encoding."
        />
        <Inline space="space.100">
          <Button appearance="primary" onClick={() => void save('save-connection')} isDisabled={busy !== undefined}>
            {busy === 'save-connection' ? 'Saving…' : 'Save'}
          </Button>
          <Button onClick={() => void check()} isDisabled={busy !== undefined || !view.settings}>
            {busy === 'check' ? 'Checking…' : 'Check connection'}
          </Button>
        </Inline>
        <Feedback message={feedback['save-connection']} />
        <Feedback message={feedback.check} />
        <Text>Check connection asks the health URL, then proves the agent id and the secret with a signed request AI Ops refuses before queueing anything: no ticket is sent.</Text>
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">2. Results</Heading>
        <SelectField
          name="resultMode"
          label="How results come back"
          options={[
            { label: 'Jira comment: the AI Ops agent comments on the issue (AI Ops today; recommended)', value: 'comment' },
            { label: 'Callback: AI Ops posts results to the app', value: 'callback' },
            { label: 'Status URL: the app polls AI Ops', value: 'poll' },
          ]}
          value={[form.resultMode]}
          onChange={(v) => set('resultMode')((v[0] ?? 'comment') as Settings['resultMode'])}
          errors={errors}
        />
        {form.resultMode === 'comment' ? (
          <Stack space="space.050">
            <UserPicker
              label="AI Ops Jira account"
              name="resultAccount"
              defaultValue={account?.accountId}
              description="The account whose API token your AI Ops Jira tool uses: its comment on an issue becomes that issue's result."
              onChange={(user) => set('resultAccount')(user?.id ? { accountId: user.id, displayName: user.name } : undefined)}
            />
            {account ? (
              <Text>{`Results are comments by ${account.displayName ?? account.accountId}.`}</Text>
            ) : (
              <SectionMessage appearance="warning" title="No AI Ops Jira account is set">
                <Text>Without it the app cannot tell the agent's comment from anyone else's, and runs end timed out. "Send test issue" below shows who commented, so you can pick the account.</Text>
              </SectionMessage>
            )}
          </Stack>
        ) : null}
        {form.resultMode === 'callback' ? (
          <Stack space="space.050">
            <Text>Every delivery carries this URL as callback_url; AI Ops posts signed results to it:</Text>
            <Code>{view.callbackUrl}</Code>
          </Stack>
        ) : null}
        {form.resultMode === 'poll' ? (
          <Stack space="space.150">
            <TextField name="statusUrlTemplate" label="Status URL template" value={form.statusUrlTemplate ?? ''} onChange={set('statusUrlTemplate')} errors={errors} help="{base} and {execution_id} are filled in, for example {base}/api/executions/{execution_id}." />
            <TextField name="statusAuthHeaderName" label="Auth header name (optional)" value={form.statusAuthHeaderName ?? ''} onChange={set('statusAuthHeaderName')} errors={errors} />
            <TextField name="statusAuthValue" label="Auth header value" type="password" value={statusAuthValue} onChange={setStatusAuthValue} errors={errors} help={view.statusAuthConfigured ? 'Configured; leave empty to keep it.' : 'Stored encrypted.'} />
          </Stack>
        ) : null}
        <TextField name="resultTimeLimitMinutes" label="Time limit for a result (minutes)" type="number" value={numberText(form.resultTimeLimitMinutes)} onChange={num('resultTimeLimitMinutes')} errors={errors} help="A run AI Ops accepted ends timed out when no result comes within this time; a result that arrives later still completes it." />
        <Inline space="space.100" alignBlock="end">
          <Box>
            <Textfield name="testIssue" placeholder="Issue key, such as DEMO-12" value={testIssue} onChange={(e) => setTestIssue(String(e.target.value ?? ''))} />
          </Box>
          <Button onClick={() => void sendTest()} isDisabled={busy !== undefined || !view.settings}>
            {busy === 'test' ? 'Testing…' : 'Send test issue'}
          </Button>
        </Inline>
        <Feedback message={feedback.test} />
        <Text>Send test issue sends a real issue through the whole path with the saved settings and waits up to a minute for its result.</Text>
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">3. Delivery</Heading>
        <TextField name="attemptLimit" label="Attempts before waiting for AI Ops" type="number" value={numberText(form.attemptLimit)} onChange={num('attemptLimit')} errors={errors} help="Network errors, timeouts, 429 and 5xx are retried with backoff (15 s, 30 s, 60 s …). Refusals (400, 401, 403, 404, 422) fail at once." />
        <TextField name="outageHorizonHours" label="Keep waiting for an unreachable AI Ops (hours)" type="number" value={numberText(form.outageHorizonHours)} onChange={num('outageHorizonHours')} errors={errors} help="After the attempts, runs wait for AI Ops to come back and resume by themselves; older ones fail." />
        <TextField name="requestTimeoutSeconds" label="Request timeout (seconds)" type="number" value={numberText(form.requestTimeoutSeconds)} onChange={num('requestTimeoutSeconds')} errors={errors} />
        <TextField name="deliveryConcurrency" label="Deliveries at once" type="number" value={numberText(form.deliveryConcurrency)} onChange={num('deliveryConcurrency')} errors={errors} help="How many issues are sent at the same time; bulk imports drain at this pace." />
        <ToggleField name="sendReporterName" label="Send the reporter's name" checked={form.sendReporterName} onChange={set('sendReporterName')} />
        <ToggleField name="sendReporterEmail" label="Send the reporter's e-mail address (personal data; Jira hides it for most users)" checked={form.sendReporterEmail} onChange={set('sendReporterEmail')} />
        <ToggleField name="strictPayload" label="Strict payload: exactly the Jira Automation body, for agents whose schema forbids other fields" checked={form.strictPayload} onChange={set('strictPayload')} />
        <ToggleField name="automationRequiresEnabledProject" label="The Automation action sends only issues of enabled projects" checked={form.automationRequiresEnabledProject} onChange={set('automationRequiresEnabledProject')} />
        <Inline>
          <Button appearance="primary" onClick={() => void save('save-delivery')} isDisabled={busy !== undefined}>
            {busy === 'save-delivery' ? 'Saving…' : 'Save'}
          </Button>
        </Inline>
        <Feedback message={feedback['save-delivery']} />
        <Feedback message={feedback['save-delivery-check']} />
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">Stored data</Heading>
        <Text>
          {view.storage.runs === 0
            ? 'No delivery is stored yet (counted once an hour).'
            : `About ${view.storage.runs} deliveries with their results, ${sizeText(view.storage.bytes)}${view.storage.oldest ? `, the oldest from ${view.storage.oldest.slice(0, 10)}` : ''} (counted once an hour).`}
        </Text>
        <TextField
          name="retentionDays"
          label="Keep deliveries and results (days)"
          type="number"
          value={numberText(form.retentionDays)}
          onChange={num('retentionDays')}
          errors={errors}
          help={`Older ones are deleted once a day${view.storage.retentionRanAt ? `; last run ${view.storage.retentionRanAt.slice(0, 16).replace('T', ' ')} UTC` : ''}. Uninstalling the app deletes everything it stored.`}
        />
        <Inline>
          <Button appearance="primary" onClick={() => void save('save-retention')} isDisabled={busy !== undefined}>
            {busy === 'save-retention' ? 'Saving…' : 'Save'}
          </Button>
        </Inline>
        <Feedback message={feedback['save-retention']} />
        <Inline space="space.100" alignBlock="center">
          <Box>
            <Textfield name="purgeConfirm" placeholder="Type DELETE" value={purgeConfirm} onChange={(e) => setPurgeConfirm(String(e.target.value ?? ''))} />
          </Box>
          <Button appearance="danger" onClick={() => void purge()} isDisabled={busy !== undefined || purgeConfirm !== 'DELETE'}>
            Delete all stored data
          </Button>
        </Inline>
        <Feedback message={feedback.purge} />
        <Text>Deletes the secrets, the settings, every delivery and the status property on each issue, in the background. The app then needs setting up again.</Text>
      </Stack>

      <Stack space="space.100">
        <Heading size="medium">Projects</Heading>
        {view.projects.length === 0 ? (
          <Text>No project has turned the Ticket Enhancer on yet: a project admin does it in Project settings &gt; Apps &gt; AI Ops Ticket Enhancer.</Text>
        ) : (
          <DynamicTable
            head={{ cells: [{ key: 'project', content: 'Project' }, { key: 'state', content: 'State' }, { key: 'events', content: 'Sends' }, { key: 'overrides', content: 'Own agent, tenant or secret' }] }}
            rows={view.projects.map((p) => ({
              key: p.projectId,
              cells: [
                { key: 'project', content: p.projectName ? `${p.projectKey} · ${p.projectName}` : p.projectKey },
                { key: 'state', content: <Lozenge appearance={p.enabled ? 'success' : 'default'}>{p.enabled ? 'Enabled' : 'Off'}</Lozenge> },
                { key: 'events', content: [p.events.created ? 'new issues' : '', p.events.updated ? 'edits' : ''].filter(Boolean).join(', ') || 'nothing' },
                { key: 'overrides', content: p.overrides ? 'Yes' : 'No' },
              ],
            }))}
          />
        )}
      </Stack>

      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      {reasonFilter ? (
        <Inline space="space.100" alignBlock="center">
          <Text>{`Showing the deliveries that failed with: ${reasonFilter.label}`}</Text>
          <Button appearance="subtle" onClick={() => setReasonFilter(undefined)}>
            Show all deliveries
          </Button>
        </Inline>
      ) : null}
      <DeliveriesTable runs={reasonFilter ? reasonFilter.runs : view.deliveries} title={reasonFilter ? 'Deliveries that failed for this reason' : 'Recent deliveries (all projects)'} />
      {view.deliveriesCursor && !reasonFilter ? (
        <Inline>
          <Button onClick={() => void moreDeliveries()} isDisabled={busy !== undefined}>
            {busy === 'more' ? 'Loading…' : 'Show older deliveries'}
          </Button>
        </Inline>
      ) : null}

      <BulkSection kind="redeliver" title="Redeliver failed runs" description="Sends again, under new delivery ids, the runs of all projects that ended without a result in a time range, for example every 401 since 09:00 once the secret is fixed." />

      <BulkSection
        kind="enhance"
        title="Enhance existing tickets"
        description="Sends issues of any project that match the JQL, at the delivery pace, each once; name the project in the JQL to limit it. Count them, confirm the number to send, then watch it go."
        defaultJql={`${view.projects.find((p) => p.enabled) ? `project = ${view.projects.find((p) => p.enabled)!.projectKey} AND ` : ''}statusCategory != Done AND ticketEnhancerStatus IS EMPTY`}
      />

      <Stack space="space.150">
        <Heading size="medium">Diagnose</Heading>
        <Text>Runs, on this site, every platform behaviour the app relies on: egress approval against a real request, storage, the queue, the callback URL, and the issue property with its JQL search.</Text>
        <Inline space="space.100" alignBlock="end">
          <Box>
            <Textfield name="diagnoseIssue" placeholder="Issue key for the property test" value={diagnoseIssue} onChange={(e) => setDiagnoseIssue(String(e.target.value ?? ''))} />
          </Box>
          <Button onClick={() => void diagnose()} isDisabled={busy !== undefined}>
            {busy === 'diagnose' ? 'Diagnosing…' : 'Diagnose'}
          </Button>
        </Inline>
        {diagnosis ? (
          <DynamicTable
            head={{ cells: [{ key: 'check', content: 'Check' }, { key: 'result', content: 'Result' }, { key: 'detail', content: 'What the platform said' }] }}
            rows={diagnosis.map((step) => ({
              key: step.key,
              cells: [
                { key: 'check', content: step.title },
                { key: 'result', content: <Lozenge appearance={step.status === 'passed' ? 'success' : step.status === 'failed' ? 'removed' : 'default'}>{step.status === 'passed' ? 'Passed' : step.status === 'failed' ? 'Failed' : 'Skipped'}</Lozenge> },
                { key: 'detail', content: step.detail },
              ],
            }))}
          />
        ) : null}
      </Stack>
    </Stack>
  );
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
