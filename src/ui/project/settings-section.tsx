/** The project's choices: on or off, which issues qualify, acting on results, and its own agent, tenant or secret. */
import React, { useEffect, useState } from 'react';
import { Button, Heading, Inline, SectionMessage, Stack, Text } from '@forge/react';
import type { ProjectSettings } from '../../core/settings';
import { call } from '../call';
import { Feedback, type FeedbackMessage } from '../feedback';
import { SelectField, TextField, ToggleField, type FieldError } from '../fields';
import { useT } from '../i18n';
import type { ProjectView } from './types';
import { ActingFields } from './acting-fields';

const words = (text: string) => text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);

export function SettingsSection({ view, show }: { view: ProjectView; show: (view: ProjectView) => void }) {
  const { t } = useT();
  const [form, setForm] = useState<ProjectSettings>(view.settings);
  const [labelsInclude, setLabelsInclude] = useState(view.settings.labelsInclude.join(', '));
  const [labelsExclude, setLabelsExclude] = useState(view.settings.labelsExclude.join(', '));
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [feedback, setFeedback] = useState<Record<string, FeedbackMessage | undefined>>({});
  const [busy, setBusy] = useState<string>();

  useEffect(() => {
    setForm(view.settings);
    setLabelsInclude(view.settings.labelsInclude.join(', '));
    setLabelsExclude(view.settings.labelsExclude.join(', '));
  }, [view.settings]);

  const set = <K extends keyof ProjectSettings>(key: K) => (value: ProjectSettings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const say = (control: string, message: FeedbackMessage | undefined) => setFeedback((f) => ({ ...f, [control]: message }));

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

  const site = view.defaults;
  return (
    <Stack space="space.400">
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
        <SelectField name="issueTypeIds" label={t('project.issueTypes')} multi placeholder={t('project.allIssueTypes')} options={view.issueTypes.map((type) => ({ label: type.name, value: type.id }))} value={form.issueTypeIds} onChange={set('issueTypeIds')} errors={errors} help={t('project.issueTypesHelp')} />
        <SelectField name="priorityIds" label={t('project.priorities')} multi placeholder={t('project.allPriorities')} options={view.priorities.map((p) => ({ label: p.name, value: p.id }))} value={form.priorityIds} onChange={set('priorityIds')} errors={errors} help={t('project.prioritiesHelp')} />
        <TextField name="labelsInclude" label={t('project.labelsInclude')} value={labelsInclude} onChange={setLabelsInclude} errors={errors} help={t('project.labelsIncludeHelp')} />
        <TextField name="labelsExclude" label={t('project.labelsExclude')} value={labelsExclude} onChange={setLabelsExclude} errors={errors} help={t('project.labelsExcludeHelp')} />
        <TextField name="jql" label={t('project.jql')} multiline value={form.jql ?? ''} onChange={set('jql')} errors={errors} help={t('project.jqlHelp')} />
      </Stack>
      <ActingFields form={form} set={set} errors={errors} linkTypes={view.linkTypes} />
      <Stack space="space.150">
        <Heading size="medium">{t('project.ownConnection')}</Heading>
        <TextField name="agentId" label={t('project.agentId')} value={form.agentId ?? ''} onChange={set('agentId')} errors={errors} help={site ? t('project.siteValue', { value: site.agentId }) : t('project.siteSetting')} />
        <TextField name="tenantId" label={t('project.tenantId')} value={form.tenantId ?? ''} onChange={set('tenantId')} errors={errors} help={site ? t('project.siteValue', { value: site.tenantId }) : t('project.siteSetting')} />
        <TextField name="secret" label={t('project.secret')} type="password" value={secret} onChange={setSecret} errors={errors} help={form.secret ? t('project.ownSecret', { fingerprint: form.secret.fingerprint }) : t('project.siteSecret')} />
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
    </Stack>
  );
}
