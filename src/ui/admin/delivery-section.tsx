/** Setup, step 3: how deliveries behave (attempts, waits, pace), what is sent, and how often people may start runs. */
import React from 'react';
import { Button, Heading, Inline, Stack } from '@forge/react';
import { Feedback } from '../feedback';
import { TextField, ToggleField } from '../fields';
import { useT } from '../i18n';
import { useSettingsForm } from './use-settings-form';
import { numberText, type SectionProps } from './types';

export function DeliverySection({ view, show }: SectionProps) {
  const { t } = useT();
  const { form, set, num, errors, feedback, setFeedback, saving, save } = useSettingsForm({ view, show });
  const submit = async () => {
    const answer = await save();
    if (answer?.ok) setFeedback({ appearance: 'success', title: t('common.saved'), lines: [t('admin.saved')] });
  };
  return (
    <Stack space="space.200">
      <Heading size="medium">{t('admin.deliveryTitle')}</Heading>
      <Inline space="space.300" shouldWrap>
        <TextField name="attemptLimit" label={t('admin.attemptLimit')} type="number" value={numberText(form.attemptLimit)} onChange={num('attemptLimit')} errors={errors} help={t('admin.attemptLimitHelp')} />
        <TextField name="outageHorizonHours" label={t('admin.outageHorizon')} type="number" value={numberText(form.outageHorizonHours)} onChange={num('outageHorizonHours')} errors={errors} help={t('admin.outageHorizonHelp')} />
        <TextField name="requestTimeoutSeconds" label={t('admin.requestTimeout')} type="number" value={numberText(form.requestTimeoutSeconds)} onChange={num('requestTimeoutSeconds')} errors={errors} />
        <TextField name="deliveryConcurrency" label={t('admin.concurrency')} type="number" value={numberText(form.deliveryConcurrency)} onChange={num('deliveryConcurrency')} errors={errors} help={t('admin.concurrencyHelp')} />
      </Inline>
      <Inline space="space.300" shouldWrap>
        <TextField name="runsPerIssuePerHour" label={t('field.runsPerIssuePerHour')} type="number" value={numberText(form.runsPerIssuePerHour)} onChange={num('runsPerIssuePerHour')} errors={errors} help={t('admin.runsPerIssueHelp')} />
        <TextField name="runsPerUserPerHour" label={t('field.runsPerUserPerHour')} type="number" value={numberText(form.runsPerUserPerHour)} onChange={num('runsPerUserPerHour')} errors={errors} help={t('admin.runsPerUserHelp')} />
      </Inline>
      <ToggleField name="sendReporterName" label={t('admin.sendName')} checked={form.sendReporterName} onChange={set('sendReporterName')} />
      <ToggleField name="sendReporterEmail" label={t('admin.sendEmail')} checked={form.sendReporterEmail} onChange={set('sendReporterEmail')} />
      <ToggleField name="strictPayload" label={t('admin.strictPayload')} checked={form.strictPayload} onChange={set('strictPayload')} />
      <ToggleField name="automationRequiresEnabledProject" label={t('admin.automationEnabledOnly')} checked={form.automationRequiresEnabledProject} onChange={set('automationRequiresEnabledProject')} />
      <Inline>
        <Button appearance="primary" onClick={() => void submit()} isDisabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </Button>
      </Inline>
      <Feedback message={feedback} />
    </Stack>
  );
}
