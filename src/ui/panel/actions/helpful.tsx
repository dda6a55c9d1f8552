/** "Was this helpful?": one vote per person, changeable, with an optional reason; the counts so far. */
import React, { useState } from 'react';
import { Button, Inline, Stack, Text, Textfield } from '@forge/react';
import type { ResultExtras } from '../../../core/result-extras';
import { call } from '../../call';
import { useT } from '../../i18n';

export function Helpful({ deliveryId, feedback, canVote, onDone }: { deliveryId: string; feedback: ResultExtras['feedback']; canVote: boolean; onDone: () => Promise<void> }) {
  const { t } = useT();
  const [reason, setReason] = useState(feedback.myReason ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const vote = async (helpful: boolean | null) => {
    setBusy(true);
    setError(undefined);
    try {
      await call('feedback', { deliveryId, helpful, ...(helpful !== null && reason.trim() ? { reason: reason.trim() } : {}) });
      await onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const total = feedback.helpful + feedback.notHelpful;
  return (
    <Stack space="space.050">
      {canVote ? (
        <Inline space="space.100" alignBlock="center" shouldWrap>
          <Text>{feedback.mine === undefined ? t('helpful.ask') : feedback.mine ? t('helpful.youYes') : t('helpful.youNo')}</Text>
          <Button appearance={feedback.mine === true ? 'primary' : 'default'} isDisabled={busy} onClick={() => void vote(true)}>
            {t('helpful.yes')}
          </Button>
          <Button appearance={feedback.mine === false ? 'primary' : 'default'} isDisabled={busy} onClick={() => void vote(false)}>
            {t('helpful.no')}
          </Button>
          {feedback.mine !== undefined ? (
            <Button appearance="subtle" isDisabled={busy} onClick={() => void vote(null)}>
              {t('helpful.takeBack')}
            </Button>
          ) : null}
        </Inline>
      ) : null}
      {canVote ? <Textfield name="helpful-reason" placeholder={t('helpful.reason')} value={reason} onChange={(e) => setReason((e.target as HTMLInputElement).value)} /> : null}
      {total > 0 ? <Text>{t('helpful.counts', { yes: feedback.helpful, no: feedback.notHelpful })}</Text> : null}
      {error ? <Text>{error}</Text> : null}
    </Stack>
  );
}
