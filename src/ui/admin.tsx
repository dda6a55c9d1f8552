/**
 * The Jira admin page, read top to bottom like a setup wizard: connect (URL, egress, agent, secret,
 * check), results (mode, account, test), delivery options, then projects, deliveries and the
 * first-deploy self-check. Every action answers next to the control that started it.
 */
import React, { useCallback, useState } from 'react';
import { Box, Button, Code, DynamicTable, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text, Textfield, UserPicker } from '@forge/react';
import { permissions, type EgressSetPayload } from '@forge/bridge';
import type { CheckStep } from '../core/connection-test';
import type { RunSummary } from '../core/panel-view';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import type { GlobalSettings } from '../core/settings';
import { BulkSection } from './bulk-section';
import { InsightsSection, ReasonFilterNote, type ReasonFilter } from './insights';
import type { Insights } from '../core/outcome-stats';
import { call } from './call';
import { useScreenLoad } from './use-load';
import { renderScreen, useT, when } from './i18n';
import type { Translate } from '../core/i18n';
import { DeliveriesTable, OlderDeliveries, withOlderDeliveries } from './deliveries-table';
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
  suggestedAccount?: { accountId: string; displayName?: string; accountType?: string; emailAddress?: string };
  /** The suggested account in words (name, kind, e-mail where shown). */
  suggestedAs?: string;
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

const sizeText = (bytes: number, t: Translate) => (bytes >= 1024 * 1024 ? t('admin.megabytes', { n: (bytes / 1024 / 1024).toFixed(1) }) : t('admin.kilobytes', { n: Math.ceil(bytes / 1024) }));

function checkFeedback(steps: CheckStep[], t: Translate): FeedbackMessage {
  const ok = steps.every((step) => step.ok);
  return {
    appearance: ok ? 'success' : 'error',
    title: ok ? t('admin.connected') : steps.find((step) => !step.ok)!.title,
    lines: steps.map((step) => t(step.ok ? 'admin.stepPassed' : 'admin.stepFailed', { title: step.title, detail: step.detail })),
  };
}

function App() {
  const { t, locale } = useT();
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
  /** An account the test suggested, waiting for the admin to confirm it by name. */
  const [pendingAccount, setPendingAccount] = useState<{ account: NonNullable<TestStatus['suggestedAccount']>; described: string }>();

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
    say(control, { appearance: 'information', title: t('admin.checkingConnection'), lines: [] });
    const check = await call<{ ok: boolean; steps: CheckStep[] }>('checkConnection');
    say(control, checkFeedback(check.steps, t));
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
        say(control, { appearance: 'error', title: t('common.notSaved'), lines: [t('admin.correctFields')] });
        return;
      }
      show(answer.view);
      setSecret('');
      setStatusAuthValue('');
      const lines = [t('admin.saved')];
      if (answer.secretChange === 'rotating') lines.push(t('admin.secretRotating'));
      if (answer.secretChange === 'unchanged') lines.push(t('admin.secretUnchanged'));
      const origin = originOf(answer.view.settings?.aiopsBaseUrl);
      const egress = await permissions.egress.get({}).catch(() => undefined);
      const approved = (egress?.results ?? []).some((group) => group.configured.some((entry) => originOf(entry.domain) === origin));
      if (!approved) lines.push(t('admin.egressPending', { origin: origin ?? '' }));
      say(control, { appearance: approved ? 'success' : 'warning', title: t('common.saved'), lines });
      // The check after a save answers where that save's section shows its checks.
      if (approved && control !== 'save-retention') await runCheck(control === 'save-connection' ? 'check' : `${control}-check`);
    } catch (e) {
      say(control, { appearance: 'error', title: t('common.notSaved'), lines: [e instanceof Error ? e.message : String(e)] });
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
      say('check', { appearance: 'error', title: t('admin.checkFailed'), lines: [e instanceof Error ? e.message : String(e)] });
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
        await permissions.egress.set({ egresses: [{ key, description: t('admin.egressDescription'), configured: [{ domain: origin, type: [BACKEND_FETCH] }] }] });
      }
      // Approvals of earlier AI Ops hosts are removed once the new one is in place.
      for (const group of existing?.results ?? []) if (group.key.startsWith(EGRESS_KEY_PREFIX) && group.key !== key) await permissions.egress.deleteGroup({ key: group.key });
      await readEgress(origin);
      say('egress', { appearance: 'success', title: t('admin.egressApproved'), lines: [t('admin.egressMaySend', { origin })] });
    } catch (e) {
      say('egress', { appearance: 'error', title: t('admin.egressNotApproved'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const purge = async () => {
    setBusy('purge');
    try {
      const answer = await call<{ started: boolean; reason?: string }>('purgeData', { confirm: purgeConfirm });
      say(
        'purge',
        answer.started
          ? { appearance: 'information', title: t('admin.deleting'), lines: [t('admin.deletingText')] }
          : { appearance: 'warning', title: t('bulk.notStarted'), lines: [answer.reason ?? ''] },
      );
      setPurgeConfirm('');
    } catch (e) {
      say('purge', { appearance: 'error', title: t('bulk.notStarted'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const sendTest = async () => {
    setBusy('test');
    say('test', { appearance: 'information', title: t('admin.testSending'), lines: [] });
    try {
      const started = await call<{ started: boolean; reason?: string; deliveryId?: string }>('sendTestIssue', { issueKey: testIssue });
      if (!started.started || !started.deliveryId) {
        say('test', { appearance: 'error', title: t('status.notSent'), lines: [started.reason ?? t('panel.noReason')] });
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
            ? {
                label: t('admin.useAccount', { name: status.suggestedAccount.displayName ?? status.suggestedAccount.accountId }),
                run: () => setPendingAccount({ account: status.suggestedAccount!, described: status.suggestedAs ?? status.suggestedAccount!.displayName ?? status.suggestedAccount!.accountId }),
              }
            : undefined,
        });
        if (status.done) break;
      }
    } catch (e) {
      say('test', { appearance: 'error', title: t('admin.testStopped'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const endGrace = async () => {
    setBusy('grace');
    try {
      const answer = await call<{ view: AdminView }>('endSecretGrace');
      show(answer.view);
      say('grace', { appearance: 'success', title: t('admin.graceEnded'), lines: [] });
    } finally {
      setBusy(undefined);
    }
  };

  const moreDeliveries = async () => {
    if (!view?.deliveriesCursor) return;
    setBusy('more');
    try {
      setView(await withOlderDeliveries(view));
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
      const host = origin ?? t('admin.aiopsHost');
      const approvedNow = approvedOrigin === origin;
      const through = request?.status === 'passed';
      const browser: DiagnoseStep = {
        key: 'egress-state',
        title: t('admin.diagnoseEgressTitle'),
        status: !origin ? 'skipped' : approvedNow === through ? 'passed' : 'failed',
        detail: t(`admin.diagnoseEgress.${approvedNow ? 'approved' : 'notApproved'}.${through ? 'through' : 'blocked'}`, { host }),
      };
      setDiagnosis([browser, ...answer.steps]);
    } catch (e) {
      setDiagnosis([{ key: 'error', title: t('admin.diagnoseFailed'), status: 'failed', detail: e instanceof Error ? e.message : String(e) }]);
    } finally {
      setBusy(undefined);
    }
  };

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (loadError && !view) {
    return <Feedback message={{ appearance: 'error', title: t('admin.cannotConfigure'), lines: [t('admin.onlyAdmins', { error: loadError })], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  if (!view) return <Spinner label={t('admin.loading')} />;
  const secretInfo = view.settings?.secret;
  const savedOrigin = originOf(view.settings?.aiopsBaseUrl);
  const account = form.resultAccount;
  return (
    <Stack space="space.400">
      <Heading size="large">{t('module.appTitle')}</Heading>

      <Stack space="space.200">
        <Heading size="medium">{t('admin.connectTitle')}</Heading>
        <TextField name="aiopsBaseUrl" label={t('admin.baseUrl')} value={form.aiopsBaseUrl} onChange={set('aiopsBaseUrl')} errors={errors} help={t('admin.baseUrlHelp')} />
        {savedOrigin ? (
          <Stack space="space.050">
            <Inline space="space.100" alignBlock="center">
              <Text>{t('admin.egressTo', { origin: savedOrigin })}</Text>
              {approvedOrigin === undefined ? (
                <Spinner size="small" label={t('admin.readingApproval')} />
              ) : (
                <Lozenge appearance={approvedOrigin === savedOrigin ? 'success' : 'removed'}>{approvedOrigin === savedOrigin ? t('admin.approved') : t('admin.notApproved')}</Lozenge>
              )}
              {approvedOrigin !== undefined && approvedOrigin !== savedOrigin ? (
                <Button onClick={() => void approveEgress()} isDisabled={busy !== undefined}>
                  {busy === 'egress' ? t('admin.waitingApproval') : t('admin.approveEgress')}
                </Button>
              ) : null}
            </Inline>
            <Feedback message={feedback.egress} />
          </Stack>
        ) : (
          <Text>{t('admin.saveUrlFirst')}</Text>
        )}
        <TextField name="agentId" label={t('project.agentId')} value={form.agentId} onChange={set('agentId')} errors={errors} help={t('admin.agentIdHelp')} />
        <TextField name="tenantId" label={t('project.tenantId')} value={form.tenantId} onChange={set('tenantId')} errors={errors} help={t('admin.tenantIdHelp')} />
        <TextField
          name="secret"
          label={t('project.secret')}
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          placeholder={secretInfo ? t('admin.secretKeep') : t('admin.secretPaste')}
          help={
            secretInfo
              ? t(secretInfo.provenAt ? 'admin.secretConfiguredProven' : 'admin.secretConfigured', { fingerprint: secretInfo.fingerprint, when: when(secretInfo.setAt, locale) })
              : t('admin.secretHelp')
          }
        />
        {view.settings?.previousSecret ? (
          <SectionMessage appearance="information" title={t('admin.switchingSecret')}>
            <Stack space="space.100">
              <Text>{t('admin.previousSecretText', { until: when(view.settings.previousSecret.until, locale), fingerprint: view.settings.previousSecret.fingerprint })}</Text>
              <Inline>
                <Button onClick={() => void endGrace()} isDisabled={busy !== undefined}>
                  {t('admin.endGrace')}
                </Button>
              </Inline>
              <Feedback message={feedback.grace} />
            </Stack>
          </SectionMessage>
        ) : null}
        <SelectField
          name="keyEncoding"
          label={t('admin.keyEncoding')}
          options={[
            { label: t('admin.keyBase64'), value: 'base64' },
            { label: t('admin.keyUtf8'), value: 'utf8' },
          ]}
          value={[form.keyEncoding]}
          onChange={(v) => set('keyEncoding')((v[0] ?? 'base64') as Settings['keyEncoding'])}
          errors={errors}
          help={t('admin.keyEncodingHelp')}
        />
        <Inline space="space.100">
          <Button appearance="primary" onClick={() => void save('save-connection')} isDisabled={busy !== undefined}>
            {busy === 'save-connection' ? t('common.saving') : t('common.save')}
          </Button>
          <Button onClick={() => void check()} isDisabled={busy !== undefined || !view.settings}>
            {busy === 'check' ? t('admin.checking') : t('admin.checkConnection')}
          </Button>
        </Inline>
        <Feedback message={feedback['save-connection']} />
        <Feedback message={feedback.check} />
        <Text>{t('admin.checkExplain')}</Text>
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">{t('admin.resultsTitle')}</Heading>
        <SelectField
          name="resultMode"
          label={t('admin.resultMode')}
          options={[
            { label: t('admin.modeComment'), value: 'comment' },
            { label: t('admin.modeCallback'), value: 'callback' },
            { label: t('admin.modePoll'), value: 'poll' },
          ]}
          value={[form.resultMode]}
          onChange={(v) => set('resultMode')((v[0] ?? 'comment') as Settings['resultMode'])}
          errors={errors}
        />
        {form.resultMode === 'comment' ? (
          <Stack space="space.050">
            <UserPicker
              label={t('admin.account')}
              name="resultAccount"
              defaultValue={account?.accountId}
              description={t('admin.accountHelp')}
              onChange={(user) => set('resultAccount')(user?.id ? { accountId: user.id, displayName: user.name } : undefined)}
            />
            {account ? (
              <Text>{t('admin.resultsAreComments', { name: account.displayName ?? account.accountId })}</Text>
            ) : (
              <SectionMessage appearance="warning" title={t('admin.noAccount')}>
                <Text>{t('admin.noAccountText')}</Text>
              </SectionMessage>
            )}
          </Stack>
        ) : null}
        {form.resultMode === 'callback' ? (
          <Stack space="space.050">
            <Text>{t('admin.callbackText')}</Text>
            <Code>{view.callbackUrl}</Code>
          </Stack>
        ) : null}
        {form.resultMode === 'poll' ? (
          <Stack space="space.150">
            <TextField name="statusUrlTemplate" label={t('admin.statusUrl')} value={form.statusUrlTemplate ?? ''} onChange={set('statusUrlTemplate')} errors={errors} help={t('admin.statusUrlHelp')} />
            <TextField name="statusAuthHeaderName" label={t('admin.authHeaderName')} value={form.statusAuthHeaderName ?? ''} onChange={set('statusAuthHeaderName')} errors={errors} />
            <TextField name="statusAuthValue" label={t('admin.authHeaderValue')} type="password" value={statusAuthValue} onChange={setStatusAuthValue} errors={errors} help={view.statusAuthConfigured ? t('admin.authConfigured') : t('admin.authStored')} />
          </Stack>
        ) : null}
        <TextField name="resultTimeLimitMinutes" label={t('admin.timeLimit')} type="number" value={numberText(form.resultTimeLimitMinutes)} onChange={num('resultTimeLimitMinutes')} errors={errors} help={t('admin.timeLimitHelp')} />
        <Inline space="space.100" alignBlock="end">
          <Box>
            <Textfield name="testIssue" placeholder={t('admin.testIssuePlaceholder')} value={testIssue} onChange={(e) => setTestIssue(String(e.target.value ?? ''))} />
          </Box>
          <Button onClick={() => void sendTest()} isDisabled={busy !== undefined || !view.settings}>
            {busy === 'test' ? t('admin.testing') : t('admin.sendTest')}
          </Button>
        </Inline>
        <Feedback message={feedback.test} />
        {pendingAccount ? (
          <SectionMessage appearance="warning" title={t('admin.confirmAccount.title', { account: pendingAccount.described })}>
            <Stack space="space.100">
              <Text>{t('admin.confirmAccount.text')}</Text>
              <Inline space="space.100">
                <Button
                  appearance="warning"
                  onClick={() => {
                    set('resultAccount')({ accountId: pendingAccount.account.accountId, displayName: pendingAccount.account.displayName });
                    setPendingAccount(undefined);
                  }}
                >
                  {t('admin.confirmAccount.yes', { name: pendingAccount.account.displayName ?? pendingAccount.account.accountId })}
                </Button>
                <Button appearance="subtle" onClick={() => setPendingAccount(undefined)}>
                  {t('common.cancel')}
                </Button>
              </Inline>
            </Stack>
          </SectionMessage>
        ) : null}
        <Text>{t('admin.sendTestExplain')}</Text>
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">{t('admin.deliveryTitle')}</Heading>
        <TextField name="attemptLimit" label={t('admin.attemptLimit')} type="number" value={numberText(form.attemptLimit)} onChange={num('attemptLimit')} errors={errors} help={t('admin.attemptLimitHelp')} />
        <TextField name="outageHorizonHours" label={t('admin.outageHorizon')} type="number" value={numberText(form.outageHorizonHours)} onChange={num('outageHorizonHours')} errors={errors} help={t('admin.outageHorizonHelp')} />
        <TextField name="requestTimeoutSeconds" label={t('admin.requestTimeout')} type="number" value={numberText(form.requestTimeoutSeconds)} onChange={num('requestTimeoutSeconds')} errors={errors} />
        <TextField name="deliveryConcurrency" label={t('admin.concurrency')} type="number" value={numberText(form.deliveryConcurrency)} onChange={num('deliveryConcurrency')} errors={errors} help={t('admin.concurrencyHelp')} />
        <ToggleField name="sendReporterName" label={t('admin.sendName')} checked={form.sendReporterName} onChange={set('sendReporterName')} />
        <ToggleField name="sendReporterEmail" label={t('admin.sendEmail')} checked={form.sendReporterEmail} onChange={set('sendReporterEmail')} />
        <ToggleField name="strictPayload" label={t('admin.strictPayload')} checked={form.strictPayload} onChange={set('strictPayload')} />
        <ToggleField name="automationRequiresEnabledProject" label={t('admin.automationEnabledOnly')} checked={form.automationRequiresEnabledProject} onChange={set('automationRequiresEnabledProject')} />
        <Inline>
          <Button appearance="primary" onClick={() => void save('save-delivery')} isDisabled={busy !== undefined}>
            {busy === 'save-delivery' ? t('common.saving') : t('common.save')}
          </Button>
        </Inline>
        <Feedback message={feedback['save-delivery']} />
        <Feedback message={feedback['save-delivery-check']} />
      </Stack>

      <Stack space="space.200">
        <Heading size="medium">{t('admin.storedTitle')}</Heading>
        <Text>
          {view.storage.runs === 0
            ? t('admin.storedNone')
            : t(view.storage.oldest ? 'admin.storedOldest' : 'admin.stored', { n: view.storage.runs, size: sizeText(view.storage.bytes, t), oldest: view.storage.oldest?.slice(0, 10) ?? '' })}
        </Text>
        <TextField
          name="retentionDays"
          label={t('admin.retention')}
          type="number"
          value={numberText(form.retentionDays)}
          onChange={num('retentionDays')}
          errors={errors}
          help={view.storage.retentionRanAt ? t('admin.retentionHelpRan', { when: when(view.storage.retentionRanAt, locale) }) : t('admin.retentionHelp')}
        />
        <Inline>
          <Button appearance="primary" onClick={() => void save('save-retention')} isDisabled={busy !== undefined}>
            {busy === 'save-retention' ? t('common.saving') : t('common.save')}
          </Button>
        </Inline>
        <Feedback message={feedback['save-retention']} />
        <Inline space="space.100" alignBlock="center">
          <Box>
            <Textfield name="purgeConfirm" placeholder={t('admin.purgePlaceholder')} value={purgeConfirm} onChange={(e) => setPurgeConfirm(String(e.target.value ?? ''))} />
          </Box>
          <Button appearance="danger" onClick={() => void purge()} isDisabled={busy !== undefined || purgeConfirm !== 'DELETE'}>
            {t('admin.purge')}
          </Button>
        </Inline>
        <Feedback message={feedback.purge} />
        <Text>{t('admin.purgeExplain')}</Text>
      </Stack>

      <Stack space="space.100">
        <Heading size="medium">{t('admin.projectsTitle')}</Heading>
        {view.projects.length === 0 ? (
          <Text>{t('admin.noProjects')}</Text>
        ) : (
          <DynamicTable
            head={{
              cells: [
                { key: 'project', content: t('admin.project') },
                { key: 'state', content: t('admin.state') },
                { key: 'events', content: t('admin.sends') },
                { key: 'overrides', content: t('admin.overrides') },
              ],
            }}
            rows={view.projects.map((p) => ({
              key: p.projectId,
              cells: [
                { key: 'project', content: p.projectName ? `${p.projectKey} · ${p.projectName}` : p.projectKey },
                { key: 'state', content: <Lozenge appearance={p.enabled ? 'success' : 'default'}>{p.enabled ? t('admin.enabled') : t('admin.off')}</Lozenge> },
                { key: 'events', content: [p.events.created ? t('admin.newIssues') : '', p.events.updated ? t('admin.edits') : ''].filter(Boolean).join(', ') || t('admin.nothing') },
                { key: 'overrides', content: p.overrides ? t('admin.yes') : t('admin.no') },
              ],
            }))}
          />
        )}
      </Stack>

      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      <ReasonFilterNote filter={reasonFilter} onClear={() => setReasonFilter(undefined)} />
      <DeliveriesTable runs={reasonFilter ? reasonFilter.runs : view.deliveries} title={reasonFilter ? t('deliveries.forReason') : t('admin.recentDeliveries')} />
      {view.deliveriesCursor && !reasonFilter ? <OlderDeliveries loading={busy === 'more'} disabled={busy !== undefined} onMore={() => void moreDeliveries()} /> : null}

      <BulkSection kind="redeliver" title={t('bulk.redeliverTitle')} description={t('admin.redeliverText')} />

      <BulkSection kind="enhance" title={t('bulk.enhanceTitle')} description={t('admin.enhanceText')} defaultJql={adminExistingTicketsJql(view.projects.find((p) => p.enabled)?.projectKey)} />

      <Stack space="space.150">
        <Heading size="medium">{t('admin.diagnoseTitle')}</Heading>
        <Text>{t('admin.diagnoseExplain')}</Text>
        <Inline space="space.100" alignBlock="end">
          <Box>
            <Textfield name="diagnoseIssue" placeholder={t('admin.diagnosePlaceholder')} value={diagnoseIssue} onChange={(e) => setDiagnoseIssue(String(e.target.value ?? ''))} />
          </Box>
          <Button onClick={() => void diagnose()} isDisabled={busy !== undefined}>
            {busy === 'diagnose' ? t('admin.diagnosing') : t('admin.diagnose')}
          </Button>
        </Inline>
        {diagnosis ? (
          <DynamicTable
            head={{ cells: [{ key: 'check', content: t('admin.check') }, { key: 'result', content: t('admin.result') }, { key: 'detail', content: t('admin.platformSaid') }] }}
            rows={diagnosis.map((step) => ({
              key: step.key,
              cells: [
                { key: 'check', content: step.title },
                { key: 'result', content: <Lozenge appearance={step.status === 'passed' ? 'success' : step.status === 'failed' ? 'removed' : 'default'}>{t(`admin.step.${step.status}`)}</Lozenge> },
                { key: 'detail', content: step.detail },
              ],
            }))}
          />
        ) : null}
      </Stack>
    </Stack>
  );
}

/** Open tickets of the first enabled project the Ticket Enhancer has not seen yet. */
function adminExistingTicketsJql(projectKey: string | undefined): string {
  const scope = projectKey ? `project = ${projectKey} AND ` : ''; // i18n-ignore: JQL
  return `${scope}statusCategory != Done AND ticketEnhancerStatus IS EMPTY`; // i18n-ignore: JQL
}

renderScreen(App);
