/** The issue panel: Ticket Enhancer status, result and history on the ticket, refreshed live. */
import React, { useEffect, useState } from 'react';
import { AdfRenderer, Box, Button, DynamicTable, Heading, Inline, Link, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { realtime } from '@forge/bridge';
import { call, UnlicensedError } from './call';
import { Feedback, UnlicensedNotice } from './feedback';
import { useScreenLoad } from './use-load';
import { renderScreen, useT, when } from './i18n';
import type { PanelView, ResultView, RunSummary } from '../core/panel-view';

const POLL_MS = 5000;

type AdfDocument = Parameters<typeof AdfRenderer>[0]['document'];

interface PanelAnswer extends PanelView {
  canCancel: boolean;
  links: { adminPage?: string; projectSettings?: string };
}

function Result({ result, heading }: { result: ResultView; heading?: string }) {
  const { t, locale } = useT();
  const posted = result.postedAt ? t('panel.sourceOn', { source: result.source, when: when(result.postedAt, locale) }) : result.source;
  return (
    <Stack space="space.100">
      {heading ? <Heading size="small">{heading}</Heading> : null}
      <Inline space="space.100" alignBlock="center">
        <Text>{result.edited ? t('panel.edited', { text: posted }) : posted}</Text>
        {result.link ? <Link href={result.link} openNewTab>{t('panel.openComment')}</Link> : null}
      </Inline>
      {result.notice ? <SectionMessage appearance="information"><Text>{result.notice}</Text></SectionMessage> : null}
      {result.sections.map((section) => (
        <Stack key={section.title} space="space.050">
          {result.sections.length > 1 || !section.primary ? <Heading size="xsmall">{section.title}</Heading> : null}
          <AdfRenderer document={section.document as unknown as AdfDocument} />
        </Stack>
      ))}
    </Stack>
  );
}

/** Earlier runs; a row opens to show what it produced or why it stopped. */
function History({ runs }: { runs: RunSummary[] }) {
  const { t, locale } = useT();
  const [open, setOpen] = useState<string>();
  const shown = runs.find((run) => run.deliveryId === open);
  return (
    <Stack space="space.100">
      <Heading size="small">{t('panel.earlierRuns')}</Heading>
      <DynamicTable
        head={{
          cells: [
            { key: 'when', content: t('panel.started') },
            { key: 'status', content: t('panel.status') },
            { key: 'why', content: t('panel.trigger') },
            { key: 'details', content: t('panel.details') },
          ],
        }}
        rows={runs.map((run) => ({
          key: run.deliveryId,
          cells: [
            { key: 'when', content: when(run.createdAt, locale) },
            { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
            { key: 'why', content: run.trigger },
            {
              key: 'details',
              content: (
                <Button appearance="subtle" onClick={() => setOpen(open === run.deliveryId ? undefined : run.deliveryId)}>
                  {open === run.deliveryId ? t('panel.hide') : t('panel.show')}
                </Button>
              ),
            },
          ],
        }))}
      />
      {shown ? (
        <Box padding="space.100">
          <Stack space="space.050">
            <Text>{shown.finishedAt ? t('panel.historyLineFinished', { label: shown.label, attempts: shown.attemptsLabel, when: when(shown.finishedAt, locale) }) : t('panel.historyLine', { label: shown.label, attempts: shown.attemptsLabel })}</Text>
            {shown.resultSummary ? <Text>{t('panel.resultLine', { summary: shown.resultSummary })}</Text> : null}
            {shown.reason ? <Text>{shown.reason}</Text> : null}
            {shown.executionId ? <Text>{t('panel.execution', { id: shown.executionId })}</Text> : null}
          </Stack>
        </Box>
      ) : null}
    </Stack>
  );
}

function App() {
  const { t, locale } = useT();
  const [view, setView] = useState<PanelAnswer>();
  const [notice, setNotice] = useState<{ appearance: 'warning' | 'information'; text: string }>();
  const [busy, setBusy] = useState<'run' | 'cancel'>();

  const { reload: load, loadError, unlicensed } = useScreenLoad<PanelAnswer>(setView);

  // Live refresh: a realtime message on every state change of this runs, on a channel only
  // a panel whose resolver checked the user's access may subscribe to.
  useEffect(() => {
    if (!view?.channel) return undefined;
    let subscription: { unsubscribe?: () => unknown } | undefined;
    void Promise.resolve(realtime.subscribeGlobal(view.channel, () => void load(), view.realtimeToken ? { token: view.realtimeToken } : undefined))
      .then((s) => {
        subscription = s as { unsubscribe?: () => unknown } | undefined;
      })
      .catch(() => undefined);
    return () => void subscription?.unsubscribe?.();
  }, [view?.channel, view?.realtimeToken, load]);

  // Fallback while a run is under way: poll, one request at a time; an overdue run is left to the scheduled check.
  useEffect(() => {
    if (!view || view.finished || view.overdue) return undefined;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [view, load]);

  const act = async (kind: 'run' | 'cancel') => {
    setBusy(kind);
    setNotice(undefined);
    try {
      if (kind === 'run') {
        const answer = await call<{ started: boolean; reason?: string; note?: string }>('runAgain');
        if (!answer.started) setNotice({ appearance: 'warning', text: t('panel.notStarted', { reason: answer.reason ?? '' }) });
        else if (answer.note) setNotice({ appearance: 'information', text: t('panel.queuedNote', { note: answer.note }) });
      } else {
        await call('cancel', { deliveryId: view?.current?.deliveryId });
        setNotice({ appearance: 'information', text: t('panel.cancelled') });
      }
      await load();
    } catch (e) {
      // A lapsed licence: the reload shows the unlicensed state, as on the first load.
      if (e instanceof UnlicensedError) await load();
      else setNotice({ appearance: 'warning', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(undefined);
    }
  };

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;

  if (!view) {
    if (!loadError) return <Spinner label={t('panel.loading')} />;
    return <Feedback message={{ appearance: 'error', title: t('panel.loadFailed'), lines: [loadError], action: { label: t('common.tryAgain'), run: () => void load() } }} />;
  }
  const current = view.current;
  const underWay = current !== undefined && !view.finished;
  const cancellable = view.canCancel && current !== undefined && ['queued', 'retrying', 'waiting'].includes(current.status);
  return (
    <Stack space="space.200">
      <Box role="status">
        <Inline space="space.100" alignBlock="center">
          <Lozenge appearance={view.status.appearance} isBold>{view.status.label}</Lozenge>
          {current ? (
            <Text>
              {current.finishedAt
                ? t('panel.startedFinished', { started: when(current.createdAt, locale), finished: when(current.finishedAt, locale) })
                : t('panel.startedAt', { started: when(current.createdAt, locale) })}
            </Text>
          ) : null}
        </Inline>
      </Box>
      {!current ? (
        <SectionMessage appearance="information" title={t('panel.nothingSent')}>
          <Text>{t('panel.why', { detail: view.status.detail ?? '' })}</Text>
          {view.settingsHint ? (
            view.links.projectSettings ? <Link href={view.links.projectSettings}>{view.settingsHint}</Link> : <Text>{view.settingsHint}</Text>
          ) : null}
        </SectionMessage>
      ) : null}
      {view.failure ? (
        <SectionMessage appearance="error" title={view.failure.title}>
          <Stack space="space.100">
            <Text>{view.failure.text}</Text>
            {view.failure.fixWhere === 'admin-page' && view.links.adminPage ? <Link href={view.links.adminPage}>{t('panel.openAdminPage')}</Link> : null}
            {view.failure.fixWhere === 'project-settings' && view.links.projectSettings ? <Link href={view.links.projectSettings}>{t('panel.openProjectSettings')}</Link> : null}
          </Stack>
        </SectionMessage>
      ) : null}
      {current && !view.failure && ['skipped', 'superseded', 'cancelled'].includes(current.status) ? (
        <SectionMessage appearance="information" title={current.label}>
          <Text>{current.reason ?? t('panel.noReason')}</Text>
        </SectionMessage>
      ) : null}
      {current && (current.status === 'retrying' || current.status === 'waiting') ? (
        <SectionMessage appearance="warning" title={current.label}>
          <Text>{current.nextAttemptAt ? t('panel.nextAttempt', { reason: current.reason ?? '', when: when(current.nextAttemptAt, locale) }) : (current.reason ?? '')}</Text>
        </SectionMessage>
      ) : null}
      {view.overdue ? (
        <SectionMessage appearance="information" title={t('panel.overdueTitle')}>
          <Text>{t('panel.overdue')}</Text>
        </SectionMessage>
      ) : null}
      {current?.result ? <Result result={current.result} /> : null}
      {underWay && view.previousResult ? (
        <Stack space="space.100">
          <SectionMessage appearance="information">
            <Text>{view.previousResult.completedAt ? t('panel.previousKeptAt', { when: when(view.previousResult.completedAt, locale) }) : t('panel.previousKept')}</Text>
          </SectionMessage>
          <Result result={view.previousResult} heading={t('panel.previousResult')} />
        </Stack>
      ) : null}
      {current?.executionId ? <Text>{t('panel.executionAttempts', { id: current.executionId, attempts: current.attemptsLabel })}</Text> : null}
      {notice ? <SectionMessage appearance={notice.appearance}><Text>{notice.text}</Text></SectionMessage> : null}
      {view.canRunAgain || cancellable ? (
        <Inline space="space.100">
          {view.canRunAgain ? (
            <Button appearance={view.runAgainIsPrimary ? 'primary' : 'default'} isDisabled={busy !== undefined || underWay} onClick={() => void act('run')}>
              {busy === 'run' ? t('panel.starting') : t('panel.runAgain')}
            </Button>
          ) : null}
          {cancellable ? (
            <Button appearance="subtle" isDisabled={busy !== undefined} onClick={() => void act('cancel')}>
              {busy === 'cancel' ? t('panel.cancelling') : t('panel.cancel')}
            </Button>
          ) : null}
        </Inline>
      ) : null}
      {view.history.length > 0 ? <History runs={view.history} /> : null}
    </Stack>
  );
}

renderScreen(App);
