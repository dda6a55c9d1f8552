/** Setup, step 2: how results come back (the AI Ops account's comment, a callback, a status URL), and a test. */
import React, { useState } from 'react';
import { Button, Code, Heading, Inline, SectionMessage, Stack, Text, UserPicker } from '@forge/react';
import { Feedback } from '../feedback';
import { SelectField, TextField, ToggleField } from '../fields';
import { CommentMatching } from './comment-matching';
import { useT } from '../i18n';
import { TestIssue } from './test-issue';
import { useSettingsForm } from './use-settings-form';
import { numberText, type SectionProps, type Settings } from './types';

export function ResultsSection({ view, show }: SectionProps) {
  const { t } = useT();
  const { form, set, num, errors, feedback, setFeedback, saving, save } = useSettingsForm({ view, show });
  const [statusAuthValue, setStatusAuthValue] = useState('');
  const account = form.resultAccount;

  const submit = async () => {
    const answer = await save({ statusAuthValue });
    if (answer?.ok) {
      setStatusAuthValue('');
      setFeedback({ appearance: 'success', title: t('common.saved'), lines: [t('admin.saved')] });
    }
  };

  return (
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
          <CommentMatching form={form} set={set} />
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
      <Stack space="space.050">
        <ToggleField name="forwardFeedback" label={t('admin.forwardFeedback')} checked={form.forwardFeedback} onChange={set('forwardFeedback')} />
        <Text>{t('admin.forwardFeedbackHelp')}</Text>
      </Stack>
      {form.resultMode !== 'poll' ? (
        <Stack space="space.050">
          <ToggleField name="aiopsLookup" label={t('admin.lookup')} checked={form.aiopsLookup} onChange={set('aiopsLookup')} />
          <Text>{t('admin.lookupHelp')}</Text>
        </Stack>
      ) : null}
      <TextField name="resultTimeLimitMinutes" label={t('admin.timeLimit')} type="number" value={numberText(form.resultTimeLimitMinutes)} onChange={num('resultTimeLimitMinutes')} errors={errors} help={t('admin.timeLimitHelp')} />
      <Inline>
        <Button appearance="primary" onClick={() => void submit()} isDisabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </Button>
      </Inline>
      <Feedback message={feedback} />
      <Heading size="small">{t('admin.testTitle')}</Heading>
      <TestIssue view={view} onAccount={(chosen) => set('resultAccount')(chosen)} />
    </Stack>
  );
}
