/**
 * The project's last 30 days and its deliveries. A delivery that ended without a result can be
 * sent again, after a confirmation that says AI Ops will post another comment; one a newer run of
 * the same issue already answered is marked as such instead. Past the project's filters only after
 * naming the filter.
 */
import React, { useState } from 'react';
import { Button, Stack, Text } from '@forge/react';
import type { RunSummary } from '../../core/panel-view';
import { call } from '../call';
import { DeliveriesTable, OlderDeliveries, withOlderDeliveries } from '../deliveries-table';
import { Feedback, type FeedbackMessage } from '../feedback';
import { useT } from '../i18n';
import { ConfirmMessage } from '../confirm-message';
import { InsightsSection, ReasonFilterNote, type ReasonFilter } from '../insights';
import type { ProjectView } from './types';

/** Runs worth sending again: ones that ended without a result. */
const REDELIVERABLE = new Set(['failed', 'timed-out', 'cancelled', 'skipped', 'superseded']);

/** A newer run of the same issue has a result: sending this one again would post a second analysis. */
const answeredLater = (run: RunSummary, runs: RunSummary[]) => runs.some((other) => other.issueKey === run.issueKey && other.status === 'completed' && other.createdAt > run.createdAt);

export function DeliveriesSection({ view, setView }: { view: ProjectView; setView: (view: ProjectView) => void }) {
  const { t } = useT();
  const [reasonFilter, setReasonFilter] = useState<ReasonFilter>();
  const [busy, setBusy] = useState<string>();
  const [feedback, setFeedback] = useState<FeedbackMessage>();
  const [confirm, setConfirm] = useState<{ run: RunSummary; override?: string }>();

  const redeliver = async (run: RunSummary, override = false) => {
    setConfirm(undefined);
    setBusy(`redeliver-${run.deliveryId}`);
    try {
      const answer = await call<{ started: boolean; reason?: string; note?: string; exclusion?: { why: string; overridable: boolean } }>('redeliver', { issueId: run.issueId, deliveryId: run.deliveryId, ...(override ? { override: true } : {}) });
      if (!answer.started && answer.exclusion?.overridable) {
        setConfirm({ run, override: answer.exclusion.why });
        return;
      }
      setFeedback(
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

  const runs = reasonFilter ? reasonFilter.runs : view.deliveries;
  return (
    <Stack space="space.300">
      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      <Stack space="space.100">
        <ReasonFilterNote filter={reasonFilter} onClear={() => setReasonFilter(undefined)} />
        {confirm ? (
          <ConfirmMessage
            appearance={confirm.override ? 'warning' : 'information'}
            title={confirm.override ? t('panel.overrideTitle') : t('project.confirmRedeliverTitle', { issue: confirm.run.issueKey })}
            text={confirm.override ? t('panel.overrideText', { why: confirm.override }) : t('project.confirmRedeliverText')}
            confirmLabel={confirm.override ? t('panel.overrideSend') : t('project.confirmRedeliver', { issue: confirm.run.issueKey })}
            onConfirm={() => void redeliver(confirm.run, Boolean(confirm.override))}
            onCancel={() => setConfirm(undefined)}
          />
        ) : null}
        <DeliveriesTable
          runs={runs}
          title={t('project.deliveries')}
          action={{
            header: t('project.action'),
            cell: (run) =>
              !REDELIVERABLE.has(run.status) ? (
                <Text>–</Text>
              ) : answeredLater(run, view.deliveries) ? (
                <Text>{t('project.answeredLater')}</Text>
              ) : (
                <Button appearance="subtle" onClick={() => setConfirm({ run })} isDisabled={busy !== undefined || confirm !== undefined}>
                  {busy === `redeliver-${run.deliveryId}` ? t('project.sending') : t('project.redeliver')}
                </Button>
              ),
          }}
        />
        <Feedback message={feedback} />
        {view.deliveriesCursor && !reasonFilter ? <OlderDeliveries loading={busy === 'more'} disabled={busy !== undefined} onMore={() => void more()} /> : null}
      </Stack>
    </Stack>
  );
}
