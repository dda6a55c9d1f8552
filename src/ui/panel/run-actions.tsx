/**
 * What an editor can do on the panel: send the issue (the first time: "Send now"), run it again
 * after a confirmation that says another comment will be posted, send past the project's filters
 * (project admins, after saying which filter), or cancel a run still waiting to be sent.
 */
import React, { useState } from 'react';
import { Button, Inline, SectionMessage, Stack, Text } from '@forge/react';
import { call, UnlicensedError } from '../call';
import { useT } from '../i18n';
import { ConfirmMessage } from '../confirm-message';
import type { PanelAnswer } from './use-panel-view';

interface StartAnswer {
  started: boolean;
  reason?: string;
  note?: string;
  exclusion?: { why: string; overridable: boolean };
}

export function RunActions({ view, reload }: { view: PanelAnswer; reload: () => Promise<void> }) {
  const { t } = useT();
  const [busy, setBusy] = useState<'run' | 'cancel'>();
  const [confirm, setConfirm] = useState<'run' | 'override'>();
  const [overrideWhy, setOverrideWhy] = useState<string | undefined>(view.override?.why);
  const [notice, setNotice] = useState<{ appearance: 'warning' | 'information'; text: string }>();
  const current = view.current;
  const underWay = current !== undefined && !view.finished;
  const cancellable = view.canCancel && current !== undefined && ['queued', 'retrying', 'waiting'].includes(current.status);

  const act = async (kind: 'run' | 'cancel', override = false) => {
    setBusy(kind);
    setConfirm(undefined);
    setNotice(undefined);
    try {
      if (kind === 'run') {
        const answer = await call<StartAnswer>('runAgain', override ? { override: true } : {});
        if (!answer.started && answer.exclusion?.overridable) setOverrideWhy(answer.exclusion.why);
        if (!answer.started) setNotice({ appearance: 'warning', text: t('panel.notStarted', { reason: answer.reason ?? '' }) });
        else if (answer.note) setNotice({ appearance: 'information', text: t('panel.queuedNote', { note: answer.note }) });
      } else {
        await call('cancel', { deliveryId: current?.deliveryId });
        setNotice({ appearance: 'information', text: t('panel.cancelled') });
      }
      await reload();
    } catch (e) {
      // A lapsed licence: the reload shows the unlicensed state, as on the first load.
      if (e instanceof UnlicensedError) await reload();
      else setNotice({ appearance: 'warning', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(undefined);
    }
  };

  // A first send has nothing to repeat: no confirmation; a run again posts another comment: confirmed first.
  const start = () => (view.firstRun ? void act('run') : setConfirm('run'));
  return (
    <Stack space="space.100">
      {notice ? <SectionMessage appearance={notice.appearance}><Text>{notice.text}</Text></SectionMessage> : null}
      {confirm === 'run' ? (
        <ConfirmMessage appearance="information" title={t('panel.confirmRunTitle')} text={t('panel.confirmRunText')} confirmLabel={t('panel.confirmRun')} onConfirm={() => void act('run')} onCancel={() => setConfirm(undefined)} />
      ) : null}
      {confirm === 'override' && overrideWhy ? (
        <ConfirmMessage appearance="warning" title={t('panel.overrideTitle')} text={t('panel.overrideText', { why: overrideWhy })} confirmLabel={t('panel.overrideSend')} onConfirm={() => void act('run', true)} onCancel={() => setConfirm(undefined)} />
      ) : null}
      {view.runAgainOff ? <Text>{view.runAgainOff}</Text> : null}
      {view.canRunAgain || cancellable || overrideWhy ? (
        <Inline space="space.100">
          {view.canRunAgain ? (
            <Button appearance={view.runAgainIsPrimary ? 'primary' : 'default'} isDisabled={busy !== undefined || underWay || confirm !== undefined} onClick={start}>
              {busy === 'run' ? t('panel.starting') : view.firstRun ? t('panel.sendNow') : t('panel.runAgain')}
            </Button>
          ) : null}
          {overrideWhy && !underWay ? (
            <Button appearance="subtle" isDisabled={busy !== undefined || confirm !== undefined} onClick={() => setConfirm('override')}>
              {t('panel.sendAnyway')}
            </Button>
          ) : null}
          {cancellable ? (
            <Button appearance="subtle" isDisabled={busy !== undefined} onClick={() => void act('cancel')}>
              {busy === 'cancel' ? t('panel.cancelling') : t('panel.cancel')}
            </Button>
          ) : null}
        </Inline>
      ) : null}
    </Stack>
  );
}
