/** The project settings page: turn the Ticket Enhancer on, choose which issues qualify, redeliver. */
import React, { useCallback, useEffect, useState } from 'react';
import ForgeReconciler, { Button, Heading, Inline, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';
import type { ProjectSettings } from '../core/settings';
import { call } from './call';
import { DeliveriesTable } from './deliveries-table';
import { SelectField, TextField, ToggleField, type FieldError } from './fields';

interface Option {
  id: string;
  name: string;
}

interface ProjectView {
  settings: ProjectSettings;
  connectionConfigured: boolean;
  defaults: { agentId: string; tenantId: string } | null;
  issueTypes: Option[];
  priorities: Option[];
  deliveries: RunSummary[];
}

const words = (text: string) => text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);

function App() {
  const [view, setView] = useState<ProjectView>();
  const [form, setForm] = useState<ProjectSettings>();
  const [labelsInclude, setLabelsInclude] = useState('');
  const [labelsExclude, setLabelsExclude] = useState('');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();
  const [loadError, setLoadError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const show = useCallback((next: ProjectView) => {
    setView(next);
    setForm(next.settings);
    setLabelsInclude(next.settings.labelsInclude.join(', '));
    setLabelsExclude(next.settings.labelsExclude.join(', '));
  }, []);

  useEffect(() => {
    call<ProjectView>('load').then(show, (e: Error) => setLoadError(e.message));
  }, [show]);

  if (loadError) {
    return (
      <SectionMessage appearance="error" title="You cannot change these settings">
        <Text>{`Only administrators of this project can open this page (${loadError}).`}</Text>
      </SectionMessage>
    );
  }
  if (!view || !form) return <Spinner label="Loading project settings" />;

  const set = <K extends keyof ProjectSettings>(key: K) => (value: ProjectSettings[K]) => setForm({ ...form, [key]: value });

  const save = async (clearSecret = false) => {
    setSaving(true);
    setNotice(undefined);
    try {
      const { secret: _s, ...settings } = form;
      const answer = await call<{ ok: boolean; errors?: FieldError[]; view?: ProjectView }>('save', {
        settings: { ...settings, labelsInclude: words(labelsInclude), labelsExclude: words(labelsExclude) },
        secret,
        clearSecret,
      });
      setErrors(answer.errors ?? []);
      if (answer.ok && answer.view) {
        show(answer.view);
        setSecret('');
        setNotice({ ok: true, text: 'Saved.' });
      } else {
        setNotice({ ok: false, text: 'Not saved: correct the fields marked below.' });
      }
    } finally {
      setSaving(false);
    }
  };

  const redeliver = async (run: RunSummary) => {
    const answer = await call<{ started: boolean; reason?: string }>('redeliver', { issueId: run.issueId, deliveryId: run.deliveryId });
    setNotice(answer.started ? { ok: true, text: `Redelivery of ${run.issueKey} started.` } : { ok: false, text: `Not redelivered: ${answer.reason}` });
    show(await call<ProjectView>('load'));
  };

  return (
    <Stack space="space.300">
      <Heading size="large">AI Ops Ticket Enhancer</Heading>
      {!view.connectionConfigured ? (
        <SectionMessage appearance="warning" title="The AI Ops connection is not set up">
          <Text>A Jira admin must configure it on the app's admin page before issues can be sent.</Text>
        </SectionMessage>
      ) : null}
      {notice ? (
        <SectionMessage appearance={notice.ok ? 'success' : 'error'}>
          <Text>{notice.text}</Text>
        </SectionMessage>
      ) : null}
      <ToggleField name="enabled" label="Send this project's issues to the Ticket Enhancer" checked={form.enabled} onChange={set('enabled')} />
      <Stack space="space.150">
        <Heading size="medium">Which issues</Heading>
        <ToggleField name="events.created" label="When an issue is created" checked={form.events.created} onChange={(v) => set('events')({ ...form.events, created: v })} />
        <ToggleField name="events.updated" label="When its summary or description changes" checked={form.events.updated} onChange={(v) => set('events')({ ...form.events, updated: v })} />
        <SelectField name="issueTypeIds" label="Issue types (none chosen: all)" multi options={view.issueTypes.map((t) => ({ label: t.name, value: t.id }))} value={form.issueTypeIds} onChange={set('issueTypeIds')} errors={errors} />
        <SelectField name="priorityIds" label="Priorities (none chosen: all)" multi options={view.priorities.map((p) => ({ label: p.name, value: p.id }))} value={form.priorityIds} onChange={set('priorityIds')} errors={errors} />
        <TextField name="labelsInclude" label="Only issues with one of these labels" value={labelsInclude} onChange={setLabelsInclude} errors={errors} help="Separate labels with commas; empty: any" />
        <TextField name="labelsExclude" label="Never issues with these labels" value={labelsExclude} onChange={setLabelsExclude} errors={errors} />
        <TextField name="jql" label="JQL condition (optional)" multiline value={form.jql ?? ''} onChange={set('jql')} errors={errors} help="Checked by Jira when you save, for example: labels = customer" />
      </Stack>
      <Stack space="space.150">
        <Heading size="medium">Overrides for this project</Heading>
        <TextField name="agentId" label="Agent id" value={form.agentId ?? ''} onChange={set('agentId')} errors={errors} placeholder={view.defaults?.agentId} help="Empty: the site default" />
        <TextField name="tenantId" label="Tenant id" value={form.tenantId ?? ''} onChange={set('tenantId')} errors={errors} placeholder={view.defaults?.tenantId} />
        <TextField
          name="secret"
          label="HMAC secret"
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          help={form.secret ? `Project secret configured (fingerprint ${form.secret.fingerprint}); empty keeps it` : 'Empty: the site secret'}
        />
        {form.secret ? (
          <Inline>
            <Button onClick={() => void save(true)} isDisabled={saving}>
              Use the site secret again
            </Button>
          </Inline>
        ) : null}
      </Stack>
      <Inline>
        <Button appearance="primary" onClick={() => void save()} isDisabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </Button>
      </Inline>
      <DeliveriesTable
        runs={view.deliveries}
        caption="Recent deliveries in this project"
        action={(run) => (
          <Button appearance="subtle" onClick={() => void redeliver(run)}>
            Redeliver
          </Button>
        )}
      />
    </Stack>
  );
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
