/**
 * The issue context panel (`jira:issueContext`), on the right of every issue the app has marked,
 * with no click: collapsed, Jira shows the run's status beside the label (the `context-status`
 * function); expanded, this: the status, why nothing ran or what failed, the analysis in short, and
 * where the full result is.
 */
import React from 'react';
import { Link, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { Feedback, UnlicensedNotice } from './feedback';
import { renderScreen, useT } from './i18n';
import { RunState, StatusLine } from './panel/run-status';
import { usePanelView } from './panel/use-panel-view';

/** The first lines of the result, enough to know what it says. */
const SHORT = 280;

function App() {
  const { t } = useT();
  const { view, reload, loadError, unlicensed } = usePanelView();
  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (!view) {
    if (!loadError) return <Spinner label={t('panel.loading')} />;
    return <Feedback message={{ appearance: 'error', title: t('panel.loadFailed'), lines: [loadError], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  const current = view.current;
  const result = current?.result ?? view.previousResult;
  const summary = current?.resultSummary ?? view.history.find((run) => run.status === 'completed')?.resultSummary;
  return (
    <Stack space="space.150">
      {view.readOnly ? <SectionMessage appearance="warning"><Text>{view.readOnly}</Text></SectionMessage> : null}
      <StatusLine view={view} />
      <RunState view={view} />
      {result ? (
        <Stack space="space.050">
          {result.warning ? <SectionMessage appearance="warning"><Text>{result.warning}</Text></SectionMessage> : null}
          {result.shortText ? <Text>{result.shortText.length > SHORT ? `${result.shortText.slice(0, SHORT - 1)}…` : result.shortText}</Text> : summary ? <Text>{summary}</Text> : null}
          {result.link ? <Link href={result.link} openNewTab>{t('panel.openComment')}</Link> : null}
        </Stack>
      ) : null}
      <Text>{t('panel.fullResult')}</Text>
    </Stack>
  );
}

renderScreen(App);
