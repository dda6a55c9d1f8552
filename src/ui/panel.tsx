/**
 * The issue panel (added to an issue with its Apps button): the Ticket Enhancer's full state on
 * the ticket, refreshed live: status, why nothing ran or what failed, the analysis, the previous
 * result while a new run works, actions, and the history of runs.
 */
import React, { useState } from 'react';
import { Button, Inline, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { Feedback, UnlicensedNotice } from './feedback';
import { renderScreen, useT, when } from './i18n';
import { History } from './panel/history';
import { Result } from './panel/result-view';
import { RunActions } from './panel/run-actions';
import { CheckAtAiops } from './panel/check-at-aiops';
import { RunNotes } from './panel/run-notes';
import { ResultActions } from './panel/result-actions';
import { SecretStopped } from './panel/secret-stopped';
import { RunState, StatusLine } from './panel/run-status';
import { usePanelView } from './panel/use-panel-view';

function App() {
  const { t, locale } = useT();
  const { view, reload, loadError, unlicensed } = usePanelView();
  const [details, setDetails] = useState(false);

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (!view) {
    if (!loadError) return <Spinner label={t('panel.loading')} />;
    return <Feedback message={{ appearance: 'error', title: t('panel.loadFailed'), lines: [loadError], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  const current = view.current;
  const underWay = current !== undefined && !view.finished;
  return (
    <Stack space="space.200">
      {view.readOnly ? <SectionMessage appearance="warning"><Text>{view.readOnly}</Text></SectionMessage> : null}
      <StatusLine view={view} />
      <RunState view={view} />
      <SecretStopped view={view} />
      {current?.result ? <Result result={current.result} /> : null}
      <RunNotes notes={current?.notes} />
      {current?.result ? <ResultActions result={current.result} may={view.may} reader={view.reader} reload={reload} /> : null}
      {underWay && view.previousResult ? (
        <Stack space="space.100">
          <SectionMessage appearance="information">
            <Text>{view.previousResult.completedAt ? t('panel.previousKeptAt', { when: when(view.previousResult.completedAt, locale) }) : t('panel.previousKept')}</Text>
          </SectionMessage>
          <Result result={view.previousResult} heading={t('panel.previousResult')} />
        </Stack>
      ) : null}
      {current?.executionId || current?.excerpt ? (
        <Stack space="space.050">
          <Inline>
            <Button appearance="subtle" onClick={() => setDetails(!details)}>
              {details ? t('panel.hide') : t('panel.detailsFor')}
            </Button>
          </Inline>
          {details && current.executionId ? <Text>{t('panel.executionAttempts', { id: current.executionId, attempts: current.attemptsLabel })}</Text> : null}
          {details && current.excerpt ? <Text>{t('panel.answerPage', { text: current.excerpt })}</Text> : null}
        </Stack>
      ) : null}
      <RunActions view={view} reload={reload} />
      {view.canCheckAtAiops && !view.readOnly ? <CheckAtAiops reload={reload} /> : null}
      {view.history.length > 0 ? <History runs={view.history} /> : null}
    </Stack>
  );
}

renderScreen(App);
