/** The Jira admin page: the AI Ops connection, egress approval, tests, and site-wide activity. */
import React, { useCallback, useEffect, useState } from 'react';
import ForgeReconciler, { Button, Code, DynamicTable, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { permissions, type EgressSetPayload } from '@forge/bridge';
import type { RunSummary } from '../core/panel-view';
import { CONNECTION_DEFAULTS } from '../core/setting-defaults';
import type { GlobalSettings } from '../core/settings';
import { call } from './call';
import { DeliveriesTable } from './deliveries-table';
import { SelectField, TextField, ToggleField, type FieldError } from './fields';

type Settings = Omit<GlobalSettings, 'keyEncoding' | 'resultMode'> & { keyEncoding: GlobalSettings['keyEncoding']; resultMode: GlobalSettings['resultMode'] };

interface AdminView {
  settings: Settings | null;
  egress: { host: string; approved: boolean } | null;
  callbackUrl: string;
  statusAuthConfigured: boolean;
  projects: Array<{ projectId: string; projectKey: string; enabled: boolean; events: { created: boolean; updated: boolean }; overrides: boolean }>;
  deliveries: RunSummary[];
}

// The bridge types this as an enum from @forge/egress; the value on the wire is this string.
const BACKEND_FETCH = 'FETCH_BACKEND_SIDE' as EgressSetPayload['egresses'][number]['configured'][number]['type'][number];

/** A cleared number field is held as NaN (so validation names it) and shown empty. */
const numberText = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : String(value));

interface Diagnosis {
  ok: boolean;
  title: string;
  detail: string;
}

const EMPTY: Settings = { aiopsBaseUrl: '', agentId: '', tenantId: '', ...CONNECTION_DEFAULTS };

function App() {
  const [view, setView] = useState<AdminView>();
  const [form, setForm] = useState<Settings>(EMPTY);
  const [secret, setSecret] = useState('');
  const [statusAuthValue, setStatusAuthValue] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [notice, setNotice] = useState<Diagnosis>();
  const [loadError, setLoadError] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const show = useCallback((next: AdminView) => {
    setView(next);
    setForm({ ...EMPTY, ...(next.settings ?? {}) });
  }, []);

  useEffect(() => {
    call<AdminView>('load').then(show, (e: Error) => setLoadError(e.message));
  }, [show]);

  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const num = (key: 'attemptLimit' | 'requestTimeoutSeconds' | 'pollTimeLimitMinutes') => (value: string) => set(key)((value === '' ? Number.NaN : Number(value)) as never);

  const save = async () => {
    setBusy('save');
    setNotice(undefined);
    try {
      const { secret: _s, previousSecret: _p, ...settings } = form;
      const answer = await call<{ ok: boolean; errors?: FieldError[]; view?: AdminView }>('save', { settings, secret, statusAuthValue });
      setErrors(answer.errors ?? []);
      if (answer.ok && answer.view) {
        show(answer.view);
        setSecret('');
        setStatusAuthValue('');
        setNotice({ ok: true, title: 'Saved', detail: 'The connection settings are saved.' });
      }
    } finally {
      setBusy(undefined);
    }
  };

  const run = async (name: 'checkConnection' | 'sendTestIssue') => {
    setBusy(name);
    try {
      setNotice(await call<Diagnosis>(name));
    } finally {
      setBusy(undefined);
    }
  };

  const approveEgress = async () => {
    if (!view?.egress) return;
    setBusy('egress');
    try {
      await permissions.egress.set({ egresses: [{ key: 'aiops-api', description: 'The AI Ops API that receives Jira issues', configured: [{ domain: view.egress.host, type: [BACKEND_FETCH] }] }] });
      show(await call<AdminView>('load'));
    } catch (e) {
      setNotice({ ok: false, title: 'Egress not approved', detail: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(undefined);
    }
  };

  const endGrace = async () => {
    const answer = await call<{ view: AdminView }>('endSecretGrace');
    show(answer.view);
  };

  if (loadError) {
    return (
      <SectionMessage appearance="error" title="You cannot configure the AI Ops Ticket Enhancer">
        <Text>{`Only Jira admins can open this page (${loadError}).`}</Text>
      </SectionMessage>
    );
  }
  if (!view) return <Spinner label="Loading settings" />;
  const secretInfo = view.settings?.secret;
  return (
    <Stack space="space.300">
      <Heading size="large">AI Ops Ticket Enhancer</Heading>
      {notice ? (
        <SectionMessage appearance={notice.ok ? 'success' : 'error'} title={notice.title}>
          <Text>{notice.detail}</Text>
        </SectionMessage>
      ) : null}
      <Stack space="space.200">
        <Heading size="medium">Connection</Heading>
        <TextField name="aiopsBaseUrl" label="AI Ops base URL" value={form.aiopsBaseUrl} onChange={set('aiopsBaseUrl')} errors={errors} help="For example https://aiops.example.com" />
        {view.egress ? (
          <Inline space="space.100" alignBlock="center">
            <Text>{`Egress to ${view.egress.host}:`}</Text>
            <Lozenge appearance={view.egress.approved ? 'success' : 'removed'}>{view.egress.approved ? 'Approved' : 'Not approved'}</Lozenge>
            {!view.egress.approved ? (
              <Button onClick={() => void approveEgress()} isDisabled={busy !== undefined}>
                Approve egress
              </Button>
            ) : null}
          </Inline>
        ) : null}
        <TextField name="agentId" label="Default agent id" value={form.agentId} onChange={set('agentId')} errors={errors} help="The Ticket Enhancer agent's UUID" />
        <TextField name="tenantId" label="Tenant id" value={form.tenantId} onChange={set('tenantId')} errors={errors} />
        <TextField
          name="secret"
          label="HMAC secret"
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          placeholder={secretInfo ? 'Leave empty to keep the current secret' : 'Paste the agent secret'}
          help={secretInfo ? `Configured (fingerprint ${secretInfo.fingerprint}, set ${new Date(secretInfo.setAt).toLocaleString()})` : 'Not configured'}
        />
        {view.settings?.previousSecret ? (
          <SectionMessage appearance="information" title="Secret rotation in progress">
            <Text>{`The previous secret (fingerprint ${view.settings.previousSecret.fingerprint}) still signs webhook-signature until ${new Date(view.settings.previousSecret.until).toLocaleString()}.`}</Text>
            <Button onClick={() => void endGrace()}>End grace period now</Button>
          </SectionMessage>
        ) : null}
        <SelectField
          name="keyEncoding"
          label="Key encoding"
          options={[{ label: 'base64 (AI Ops: the secret is base64-decoded)', value: 'base64' }, { label: 'utf8 (GitHub convention: the secret text itself)', value: 'utf8' }]}
          value={[form.keyEncoding]}
          onChange={(v) => set('keyEncoding')((v[0] ?? 'base64') as Settings['keyEncoding'])}
          errors={errors}
        />
      </Stack>
      <Stack space="space.200">
        <Heading size="medium">Results</Heading>
        <SelectField
          name="resultMode"
          label="How results come back"
          options={[{ label: 'Callback: AI Ops posts results to the app', value: 'callback' }, { label: 'Polling: the app asks a status URL', value: 'poll' }]}
          value={[form.resultMode]}
          onChange={(v) => set('resultMode')((v[0] ?? 'callback') as Settings['resultMode'])}
          errors={errors}
        />
        {form.resultMode === 'callback' ? (
          <Stack space="space.050">
            <Text>Callback URL to give AI Ops (each delivery also carries it as callback_url):</Text>
            <Code>{view.callbackUrl}</Code>
          </Stack>
        ) : (
          <Stack space="space.150">
            <TextField name="statusUrlTemplate" label="Status URL template" value={form.statusUrlTemplate ?? ''} onChange={set('statusUrlTemplate')} errors={errors} help="{base} and {execution_id} are filled in" />
            <TextField name="statusAuthHeaderName" label="Auth header name (optional)" value={form.statusAuthHeaderName ?? ''} onChange={set('statusAuthHeaderName')} errors={errors} />
            <TextField name="statusAuthValue" label="Auth header value" type="password" value={statusAuthValue} onChange={setStatusAuthValue} errors={errors} help={view.statusAuthConfigured ? 'Configured; leave empty to keep it' : 'Stored as a secret'} />
            <TextField name="pollTimeLimitMinutes" label="Give up after (minutes)" type="number" value={numberText(form.pollTimeLimitMinutes)} onChange={num('pollTimeLimitMinutes')} errors={errors} />
          </Stack>
        )}
      </Stack>
      <Stack space="space.200">
        <Heading size="medium">Delivery</Heading>
        <TextField name="attemptLimit" label="Attempt limit" type="number" value={numberText(form.attemptLimit)} onChange={num('attemptLimit')} errors={errors} />
        <TextField name="requestTimeoutSeconds" label="Request timeout (seconds)" type="number" value={numberText(form.requestTimeoutSeconds)} onChange={num('requestTimeoutSeconds')} errors={errors} />
        <ToggleField name="sendReporterName" label="Send the reporter's name" checked={form.sendReporterName} onChange={set('sendReporterName')} />
        <ToggleField name="sendReporterEmail" label="Send the reporter's e-mail address (personal data)" checked={form.sendReporterEmail} onChange={set('sendReporterEmail')} />
        <ToggleField name="strictPayload" label="Strict payload: only the Automation fields (for agents whose schema forbids extra fields)" checked={form.strictPayload} onChange={set('strictPayload')} />
      </Stack>
      <Inline space="space.100">
        <Button appearance="primary" onClick={() => void save()} isDisabled={busy !== undefined}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </Button>
        <Button onClick={() => void run('checkConnection')} isDisabled={busy !== undefined || !view.settings}>
          Check connection
        </Button>
        <Button onClick={() => void run('sendTestIssue')} isDisabled={busy !== undefined || !view.settings}>
          Send test issue
        </Button>
      </Inline>
      <Stack space="space.100">
        <Heading size="medium">Projects</Heading>
        {view.projects.length === 0 ? <Text>No project has turned the Ticket Enhancer on yet.</Text> : null}
        <DynamicTable
          caption="Projects with settings"
          head={{ cells: [{ key: 'project', content: 'Project' }, { key: 'state', content: 'State' }, { key: 'events', content: 'Events' }, { key: 'overrides', content: 'Overrides' }] }}
          rows={view.projects.map((p) => ({
            key: p.projectId,
            cells: [
              { key: 'project', content: p.projectKey },
              { key: 'state', content: <Lozenge appearance={p.enabled ? 'success' : 'default'}>{p.enabled ? 'Enabled' : 'Off'}</Lozenge> },
              { key: 'events', content: [p.events.created ? 'created' : '', p.events.updated ? 'updated' : ''].filter(Boolean).join(', ') },
              { key: 'overrides', content: p.overrides ? 'yes' : '' },
            ],
          }))}
        />
      </Stack>
      <DeliveriesTable runs={view.deliveries} caption="Recent deliveries (all projects)" />
    </Stack>
  );
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
