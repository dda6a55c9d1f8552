/** The project settings page: turn the Ticket Enhancer on, choose which issues qualify, redeliver. */
import React, { useCallback, useState } from 'react';
import { Button, Heading, Inline, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';
import type { ProjectSettings } from '../core/settings';
import { BulkSection } from './bulk-section';
import { InsightsSection, ReasonFilterNote, type ReasonFilter } from './insights';
import type { Insights } from '../core/outcome-stats';
import { call } from './call';
import { useScreenLoad } from './use-load';
import { renderScreen, useT } from './i18n';
import { DeliveriesTable, OlderDeliveries, withOlderDeliveries } from './deliveries-table';
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
  const { t } = useT();
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
    return <Feedback message={{ appearance: 'error', title: t('project.cannotChange'), lines: [t('project.onlyAdmins', { error: loadError })], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  if (!view || !form) return <Spinner label={t('project.loading')} />;

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
        say(control, { appearance: 'success', title: t('common.saved'), lines: [clearSecret ? t('project.siteSecretAgain') : t('project.saved')] });
      } else {
        const count = answer.errors?.length ?? 0;
        say(control, { appearance: 'error', title: t('common.notSaved'), lines: [count === 1 ? t('project.correctOne') : t('project.correctMany', { n: count })] });
      }
    } finally {
      setBusy(undefined);
    }
  };

  const redeliver = async (run: RunSummary) => {
    setBusy(`redeliver-${run.deliveryId}`);
    try {
      const answer = await call<{ started: boolean; reason?: string; note?: string }>('redeliver', { issueId: run.issueId, deliveryId: run.deliveryId });
      say(
        'deliveries',
        answer.started
          ? { appearance: 'success', title: t('project.sentAgain', { issue: run.issueKey }), lines: answer.note ? [answer.note] : [] }
          : { appearance: 'error', title: t('project.notRedelivered', { issue: run.issueKey }), lines: [answer.reason ?? ''] },
      );
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
      setView(await withOlderDeliveries(view));
    } finally {
      setBusy(undefined);
    }
  };

  const site = view.defaults;
  return (
    <Stack space="space.400">
      <Heading size="large">{t('module.appTitle')}</Heading>
      {!view.connectionConfigured ? (
        <SectionMessage appearance="warning" title={t('project.notSetUp')}>
          <Text>{t('project.notSetUpText')}</Text>
        </SectionMessage>
      ) : null}
      <ToggleField name="enabled" label={t('project.enabled')} checked={form.enabled} onChange={set('enabled')} />
      <Stack space="space.150">
        <Heading size="medium">{t('project.whichIssues')}</Heading>
        <ToggleField name="events.created" label={t('project.whenCreated')} checked={form.events.created} onChange={(v) => set('events')({ ...form.events, created: v })} />
        <ToggleField name="events.updated" label={t('project.whenUpdated')} checked={form.events.updated} onChange={(v) => set('events')({ ...form.events, updated: v })} />
        <SelectField name="issueTypeIds" label={t('project.issueTypes')} multi options={view.issueTypes.map((type) => ({ label: type.name, value: type.id }))} value={form.issueTypeIds} onChange={set('issueTypeIds')} errors={errors} help={t('project.issueTypesHelp')} />
        <SelectField name="priorityIds" label={t('project.priorities')} multi options={view.priorities.map((p) => ({ label: p.name, value: p.id }))} value={form.priorityIds} onChange={set('priorityIds')} errors={errors} help={t('project.prioritiesHelp')} />
        <TextField name="labelsInclude" label={t('project.labelsInclude')} value={labelsInclude} onChange={setLabelsInclude} errors={errors} help={t('project.labelsIncludeHelp')} />
        <TextField name="labelsExclude" label={t('project.labelsExclude')} value={labelsExclude} onChange={setLabelsExclude} errors={errors} help={t('project.labelsExcludeHelp')} />
        <TextField name="jql" label={t('project.jql')} multiline value={form.jql ?? ''} onChange={set('jql')} errors={errors} help={t('project.jqlHelp')} />
      </Stack>
      <Stack space="space.150">
        <Heading size="medium">{t('project.ownConnection')}</Heading>
        <TextField name="agentId" label={t('project.agentId')} value={form.agentId ?? ''} onChange={set('agentId')} errors={errors} help={site ? t('project.siteValue', { value: site.agentId }) : t('project.siteSetting')} />
        <TextField name="tenantId" label={t('project.tenantId')} value={form.tenantId ?? ''} onChange={set('tenantId')} errors={errors} help={site ? t('project.siteValue', { value: site.tenantId }) : t('project.siteSetting')} />
        <TextField
          name="secret"
          label={t('project.secret')}
          type="password"
          value={secret}
          onChange={setSecret}
          errors={errors}
          help={form.secret ? t('project.ownSecret', { fingerprint: form.secret.fingerprint }) : t('project.siteSecret')}
        />
        {form.secret ? (
          <Inline>
            <Button onClick={() => void save(true)} isDisabled={busy !== undefined}>
              {busy === 'secret' ? t('common.saving') : t('project.useSiteSecret')}
            </Button>
          </Inline>
        ) : null}
        <Feedback message={feedback.secret} />
      </Stack>
      <Stack space="space.100">
        <Inline>
          <Button appearance="primary" onClick={() => void save()} isDisabled={busy !== undefined}>
            {busy === 'save' ? t('common.saving') : t('common.save')}
          </Button>
        </Inline>
        <Feedback message={feedback.save} />
      </Stack>
      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      <Stack space="space.100">
        <ReasonFilterNote filter={reasonFilter} onClear={() => setReasonFilter(undefined)} />
        <DeliveriesTable
          runs={reasonFilter ? reasonFilter.runs : view.deliveries}
          title={t('project.deliveries')}
          action={{
            header: t('project.action'),
            cell: (run) =>
              REDELIVERABLE.has(run.status) ? (
                <Button appearance="subtle" onClick={() => void redeliver(run)} isDisabled={busy !== undefined}>
                  {busy === `redeliver-${run.deliveryId}` ? t('project.sending') : t('project.redeliver')}
                </Button>
              ) : (
                <Text>–</Text>
              ),
          }}
        />
        <Feedback message={feedback.deliveries} />
        {view.deliveriesCursor && !reasonFilter ? <OlderDeliveries loading={busy === 'more'} disabled={busy !== undefined} onMore={() => void more()} /> : null}
      </Stack>
      <BulkSection kind="redeliver" title={t('bulk.redeliverTitle')} description={t('project.redeliverText')} />
      <BulkSection kind="enhance" title={t('bulk.enhanceTitle')} description={t('project.enhanceText')} defaultJql={existingTicketsJql(view.settings.issueTypeIds, view.issueTypes)} />
    </Stack>
  );
}

/** Open issues of the project's enabled types that the Ticket Enhancer has not seen yet. */
function existingTicketsJql(issueTypeIds: string[], issueTypes: Array<{ id: string; name: string }>): string {
  // Types by name, as a person writes them (Jira reads names and ids alike); quoted only when the name needs it.
  const jqlName = (name: string) => (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !/^(and|or|not|in|is|empty|null|order|by)$/i.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`);
  const names = issueTypeIds.map((id) => issueTypes.find((type) => type.id === id)?.name ?? id).map(jqlName);
  const types = names.length > 0 ? ` AND issuetype in (${names.join(', ')})` : ''; // i18n-ignore: JQL
  return `statusCategory != Done AND ticketEnhancerStatus IS EMPTY${types}`; // i18n-ignore: JQL
}

renderScreen(App);
