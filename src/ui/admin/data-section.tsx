/** Maintenance: what the app keeps, for how long, and deleting all of it. */
import React, { useState } from 'react';
import { Box, Button, Heading, Inline, Stack, Text, Textfield } from '@forge/react';
import type { Translate } from '../../core/i18n';
import { call } from '../call';
import { Feedback, type FeedbackMessage } from '../feedback';
import { TextField } from '../fields';
import { useT, when } from '../i18n';
import { useSettingsForm } from './use-settings-form';
import { numberText, type SectionProps } from './types';

const sizeText = (bytes: number, t: Translate) => (bytes >= 1024 * 1024 ? t('admin.megabytes', { n: (bytes / 1024 / 1024).toFixed(1) }) : t('admin.kilobytes', { n: Math.ceil(bytes / 1024) }));

export function DataSection({ view, show }: SectionProps) {
  const { t, locale } = useT();
  const { form, num, errors, feedback, setFeedback, saving, save } = useSettingsForm({ view, show });
  const [purgeConfirm, setPurgeConfirm] = useState('');
  const [purgeFeedback, setPurgeFeedback] = useState<FeedbackMessage>();
  const [purging, setPurging] = useState(false);

  const submit = async () => {
    const answer = await save();
    if (answer?.ok) setFeedback({ appearance: 'success', title: t('common.saved'), lines: [t('admin.saved')] });
  };

  const purge = async () => {
    setPurging(true);
    try {
      const answer = await call<{ started: boolean; reason?: string }>('purgeData', { confirm: purgeConfirm });
      setPurgeFeedback(answer.started ? { appearance: 'information', title: t('admin.deleting'), lines: [t('admin.deletingText')] } : { appearance: 'warning', title: t('bulk.notStarted'), lines: [answer.reason ?? ''] });
      setPurgeConfirm('');
    } catch (e) {
      setPurgeFeedback({ appearance: 'error', title: t('bulk.notStarted'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setPurging(false);
    }
  };

  const storage = view.storage;
  return (
    <Stack space="space.200">
      <Heading size="medium">{t('admin.storedTitle')}</Heading>
      <Text>
        {storage.runs === 0
          ? storage.countedUntil
            ? t('admin.storedNone')
            : t('admin.storedNotCounted')
          : t(storage.oldest ? 'admin.storedOldest' : 'admin.stored', { n: storage.runs, size: sizeText(storage.bytes, t), oldest: storage.oldest ? new Date(storage.oldest).toLocaleDateString(locale) : '' })}
      </Text>
      {storage.countedUntil ? <Text>{t('admin.storedCountedAt', { when: when(storage.countedUntil, locale) })}</Text> : null}
      <TextField
        name="retentionDays"
        label={t('admin.retention')}
        type="number"
        value={numberText(form.retentionDays)}
        onChange={num('retentionDays')}
        errors={errors}
        help={storage.retentionRanAt ? t('admin.retentionHelpRan', { when: when(storage.retentionRanAt, locale) }) : t('admin.retentionHelp')}
      />
      <Inline>
        <Button appearance="primary" onClick={() => void submit()} isDisabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </Button>
      </Inline>
      <Feedback message={feedback} />
      <Heading size="small">{t('admin.purgeTitle')}</Heading>
      <Text>{t('admin.purgeExplain')}</Text>
      <Inline space="space.100" alignBlock="center">
        <Box>
          <Textfield name="purgeConfirm" width="small" placeholder={t('admin.purgePlaceholder')} value={purgeConfirm} onChange={(e) => setPurgeConfirm(String(e.target.value ?? ''))} />
        </Box>
        <Button appearance="danger" onClick={() => void purge()} isDisabled={purging || purgeConfirm !== 'DELETE'}>
          {t('admin.purge')}
        </Button>
      </Inline>
      <Feedback message={purgeFeedback} />
    </Stack>
  );
}
