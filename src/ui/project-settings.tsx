/** The project settings page: turn the Ticket Enhancer on, choose which issues qualify, redeliver. */
import React, { useCallback, useState } from 'react';
import ForgeReconciler, { Button, Heading, Inline, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';
import type { ProjectSettings } from '../core/settings';
import { BulkSection } from './bulk-section';
import { InsightsSection, type ReasonFilter } from './insights';
import type { Insights } from '../core/outcome-stats';
import { call } from './call';
import { useScreenLoad } from './use-load';
import { DeliveriesTable } from './deliveries-table';
import { Feedback, UnlicensedNotice, type FeedbackMessage } from './feedback';
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
  deliveriesCursor: string | null;
  insights: Insights;
}

const words = (text: string) => text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);

/** Runs worth sending again: ones that ended without a result. */
const REDELIVERABLE = new Set(['failed', 'timed-out', 'cancelled', 'skipped', 'superseded']);

function App() {
  const [view, setView] = useState<ProjectView>();
  const [form, setForm] = useState<ProjectSettings>();
  const [labelsInclude, setLabelsInclude] = useState('');
  const [labelsExclude, setLabelsExclude] = useState('');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [feedback, setFeedback] = useState<Record<string, FeedbackMessage | undefined>>({});
  const [reasonFilter, setReasonFilter] = useState<ReasonFilter>();
  const [busy, setBusy] = useState<string>();

  const say = (control: string, message: FeedbackMessage | undefined) => setFeedback((f) => ({ ...f, [control]: message }));

  const show = useCallback((next: ProjectView) => {
    setView(next);
    setForm(next.settings);
    setLabelsInclude(next.settings.labelsInclude.join(', '));
    setLabelsExclude(next.settings.labelsExclude.join(', '));
  }, []);

  const { reload, loadError, unlicensed } = useScreenLoad<ProjectView>(show);

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (loadError && !view) {
    return (
      <SectionMessage appearance="error" title="You cannot change these settings">
        <Stack space="space.100">
          <Text>{`Only administrators of this project can open this page (${loadError}).`}</Text>
          <Inline>
            <Button onClick={() => void reload()}>Try again</Button>
          </Inline>
        </Stack>
      </SectionMessage>
    );
  }
  if (!view || !form) return <Spinner label="Loading project settings" />;

  const set = <K extends keyof ProjectSettings>(key: K) => (value: ProjectSettings[K]) => setForm({ ...form, [key]: value });

  const save = async (clearSecret = false) => {
    const control = clearSecret ? 'secret' : 'save';
    setBusy(control);
    say(control, undefined);
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
        say(control, { appearance: 'success', title: 'Saved', lines: [clearSecret ? 'The project uses the site secret again.' : 'The project settings are saved.'] });
      } else {
        say(control, { appearance: 'error', title: 'Not saved', lines: [`Correct the ${answer.errors?.length ?? 0} field${answer.errors?.length === 1 ? '' : 's'} marked in red.`] });
      }
    } finally {
      setBusy(undefined);
    }
  };

  const redeliver = async (run: RunSummary) => {
    setBusy(`redeliver-${run.deliveryId}`);
    try {
      const answer = await call<{ started: boolean; reason?: string; note?: string }>('redeliver', { issueId: run.issueId, deliveryId: run.deliveryId });
      say('deliveries', answer.started ? { appearance: 'success', title: `${run.issueKey} is being sent again`, lines: answer.note ? [answer.note] : [] } : { appearance: 'error', title: `${run.issueKey} was not redelivered`, lines: [answer.reason ?? ''] });
      const next = await call<ProjectView>('load');
      setView({ ...view, deliveries: next.deliveries, deliveriesCursor: next.deliveriesCursor });
    } finally {
      setBusy(undefined);
    }
  };

  const more = async () => {
    if (!view.deliveriesCursor) return;
    setBusy('more');
    try {
      const page = await call<{ deliveries: RunSummary[]; deliveriesCursor: string | null }>('deliveries', { cursor: view.deliveriesCursor });
      setView({ ...view, deliveries: [...view.deliveries, ...page.deliveries], deliveriesCursor: page.deliveriesCursor });
    } finally {
      setBusy(undefined);
    }
  };

  const site = view.defaults;
  return (
    <Stack space="space.400">
      <Heading size="large">AI Ops Ticket Enhancer</Heading>
      {!view.connectionConfigured ? (
        <SectionMessage appearance="warning" title="The AI Ops connection is not set up">
          <Text>A Jira admin must configure it on the app's admin page (Jira settings &gt; Apps &gt; AI Ops Ticket Enhancer) before issues can be sent.</Text>
        </SectionMessage>
      ) : null}
      <ToggleField name="enabled" label="Send this project's issues to the Ticket Enhancer" checked={form.enabled} onChange={set('enabled')} />
      <Stack space="space.150">
        <Heading size="medium">Which issues</Heading>
        <ToggleField name="events.created" label="When an issue is created" checked={form.events.created} onChange={(v) => set('events')({ ...form.events, created: v })} />
        <ToggleField name="events.updated" label="When its summary or description changes" checked={form.events.updated} onChange={(v) => set('events')({ ...form.events, updated: v })} />
        <SelectField name="issueTypeIds" label="Issue types" multi options={view.issueTypes.map((t) => ({ label: t.name, value: t.id }))} value={form.issueTypeIds} onChange={set('issueTypeIds')} errors={errors} help="None chosen: every issue type." />
        <SelectField name="priorityIds" label="Priorities" multi options={view.priorities.map((p) => ({ label: p.name, value: p.id }))} value={form.priorityIds} onChange={set('priorityIds')} errors={errors} help="The priorities of this project's priority scheme. None chosen: every priority." />
        <TextField name="labelsInclude" label="Only issues with one of these labels" value={labelsInclude} onChange={setLabelsInclude} errors={errors} help="Separate labels with commas. Empty: any labels." />
        <TextField name="labelsExclude" label="Never issues with these labels" value={labelsExclude} onChange={setLabelsExclude} errors={errors} help="Separate labels with commas." />
        <TextField name="jql" label="JQL condition (optional)" multiline value={form.jql ?? ''} onChange={set('jql')} errors={errors} help="Jira checks it when you save, for example: labels = customer AND priority != Low" />
      </Stack>
      <Stack space="space.150">
        <Heading size="medium">This project's own agent, tenant or secret</Heading>
        <TextField name="agentId" label="Agent id" value={form.agentId ?? ''} onChange={set('agentId')} errors={errors} help={site ? `Empty: uses the site setting (${site.agentId}).` : 'Empty: uses the site setting.'} />
        <TextField name="tenantId" label="Tenant id" value={form.tenantId ?? ''} onChange={set('tenantId')} errors={errors} help={site ? `Empty: uses the site setting (${site.tenantId}).` : 'Empty: uses the site setting.'} />
        <TextField
          name="secret"
          label="HMAC secret"
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          help={form.secret ? `This project has its own secret (fingerprint ${form.secret.fingerprint}); empty keeps it.` : 'Empty: uses the site secret.'}
        />
        {form.secret ? (
          <Inline>
            <Button onClick={() => void save(true)} isDisabled={busy !== undefined}>
              {busy === 'secret' ? 'Saving…' : 'Use the site secret again'}
            </Button>
          </Inline>
        ) : null}
        <Feedback message={feedback.secret} />
      </Stack>
      <Stack space="space.100">
        <Inline>
          <Button appearance="primary" onClick={() => void save()} isDisabled={busy !== undefined}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </Button>
        </Inline>
        <Feedback message={feedback.save} />
      </Stack>
      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      <Stack space="space.100">
        {reasonFilter ? (
          <Inline space="space.100" alignBlock="center">
            <Text>{`Showing the deliveries that failed with: ${reasonFilter.label}`}</Text>
            <Button appearance="subtle" onClick={() => setReasonFilter(undefined)}>
              Show all deliveries
            </Button>
          </Inline>
        ) : null}
        <DeliveriesTable
          runs={reasonFilter ? reasonFilter.runs : view.deliveries}
          title="Deliveries in this project"
          action={{
            header: 'Action',
            cell: (run) =>
              REDELIVERABLE.has(run.status) ? (
                <Button appearance="subtle" onClick={() => void redeliver(run)} isDisabled={busy !== undefined}>
                  {busy === `redeliver-${run.deliveryId}` ? 'Sending…' : 'Redeliver'}
                </Button>
              ) : (
                <Text>–</Text>
              ),
          }}
        />
        <Feedback message={feedback.deliveries} />
        {view.deliveriesCursor && !reasonFilter ? (
          <Inline>
            <Button onClick={() => void more()} isDisabled={busy !== undefined}>
              {busy === 'more' ? 'Loading…' : 'Show older deliveries'}
            </Button>
          </Inline>
        ) : null}
      </Stack>
      <BulkSection kind="redeliver" title="Redeliver failed runs" description="Sends again the runs of this project that ended without a result in a time range, for example every 401 since 09:00 once the secret is fixed." />
      <BulkSection
        kind="enhance"
        title="Enhance existing tickets"
        description="Sends issues created before the app was turned on, at the delivery pace, each once. Count them, confirm the number to send, then watch it go; it goes on if you close the page."
        defaultJql={existingTicketsJql(view.settings.issueTypeIds)}
      />
    </Stack>
  );
}

/** Open issues of the project's enabled types that the Ticket Enhancer has not seen yet. */
function existingTicketsJql(issueTypeIds: string[]): string {
  const types = issueTypeIds.length > 0 ? ` AND issuetype in (${issueTypeIds.join(', ')})` : '';
  return `statusCategory != Done AND ticketEnhancerStatus IS EMPTY${types}`;
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
