/** The issue panel: Ticket Enhancer status, result and history on the ticket, refreshed live. */
import React, { useCallback, useEffect, useState } from 'react';
import ForgeReconciler, { AdfRenderer, Box, Button, DynamicTable, Heading, Inline, Link, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { realtime } from '@forge/bridge';
import { call, UnlicensedError } from './call';
import { UnlicensedNotice } from './feedback';
import type { PanelView, ResultView, RunSummary } from '../core/panel-view';

const POLL_MS = 5000;

type AdfDocument = Parameters<typeof AdfRenderer>[0]['document'];

interface PanelAnswer extends PanelView {
  canCancel: boolean;
  links: { adminPage?: string; projectSettings?: string };
}

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

function Result({ result, heading }: { result: ResultView; heading?: string }) {
  return (
    <Stack space="space.100">
      {heading ? <Heading size="small">{heading}</Heading> : null}
      <Inline space="space.100" alignBlock="center">
        <Text>{`${result.source}${result.postedAt ? ` on ${when(result.postedAt)}` : ''}${result.edited ? ' (edited)' : ''}`}</Text>
        {result.link ? <Link href={result.link} openNewTab>Open the comment</Link> : null}
      </Inline>
      {result.notice ? <SectionMessage appearance="information"><Text>{result.notice}</Text></SectionMessage> : null}
      {result.sections.map((section) => (
        <Stack key={section.title} space="space.050">
          {result.sections.length > 1 || section.title !== 'Analysis' ? <Heading size="xsmall">{section.title}</Heading> : null}
          <AdfRenderer document={section.document as unknown as AdfDocument} />
        </Stack>
      ))}
    </Stack>
  );
}

/** Earlier runs; a row opens to show what it produced or why it stopped. */
function History({ runs }: { runs: RunSummary[] }) {
  const [open, setOpen] = useState<string>();
  const shown = runs.find((run) => run.deliveryId === open);
  return (
    <Stack space="space.100">
      <Heading size="small">Earlier runs</Heading>
      <DynamicTable
        head={{ cells: [{ key: 'when', content: 'Started' }, { key: 'status', content: 'Status' }, { key: 'why', content: 'Trigger' }, { key: 'details', content: 'Details' }] }}
        rows={runs.map((run) => ({
          key: run.deliveryId,
          cells: [
            { key: 'when', content: when(run.createdAt) },
            { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
            { key: 'why', content: run.trigger },
            {
              key: 'details',
              content: (
                <Button appearance="subtle" onClick={() => setOpen(open === run.deliveryId ? undefined : run.deliveryId)}>
                  {open === run.deliveryId ? 'Hide' : 'Show'}
                </Button>
              ),
            },
          ],
        }))}
      />
      {shown ? (
        <Box padding="space.100">
          <Stack space="space.050">
            <Text>{`${shown.label} · ${shown.attemptsLabel}${shown.finishedAt ? ` · finished ${when(shown.finishedAt)}` : ''}`}</Text>
            {shown.resultSummary ? <Text>{`Result: ${shown.resultSummary}`}</Text> : null}
            {shown.reason ? <Text>{shown.reason}</Text> : null}
            {shown.executionId ? <Text>{`AI Ops execution ${shown.executionId}`}</Text> : null}
          </Stack>
        </Box>
      ) : null}
    </Stack>
  );
}

function App() {
  const [view, setView] = useState<PanelAnswer>();
  const [loadError, setLoadError] = useState<string>();
  const [unlicensed, setUnlicensed] = useState<string>();
  const [notice, setNotice] = useState<{ appearance: 'warning' | 'information'; text: string }>();
  const [busy, setBusy] = useState<'run' | 'cancel'>();

  const load = useCallback(async () => {
    try {
      setView(await call<PanelAnswer>('load'));
      setLoadError(undefined);
      setUnlicensed(undefined);
    } catch (e) {
      if (e instanceof UnlicensedError) setUnlicensed(e.message);
      else setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Live refresh: a realtime message on every state change of this issue's runs, on a channel only
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
        if (!answer.started) setNotice({ appearance: 'warning', text: `Not started: ${answer.reason}` });
        else if (answer.note) setNotice({ appearance: 'information', text: `Queued: ${answer.note}` });
      } else {
        await call('cancel', { deliveryId: view?.current?.deliveryId });
        setNotice({ appearance: 'information', text: 'The run was cancelled before it was sent.' });
      }
      await load();
    } catch (e) {
      if (e instanceof UnlicensedError) setUnlicensed(e.message);
      else setNotice({ appearance: 'warning', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(undefined);
    }
  };

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;

  if (!view) {
    if (!loadError) return <Spinner label="Loading the Ticket Enhancer status" />;
    return (
      <SectionMessage appearance="error" title="The Ticket Enhancer panel could not load">
        <Stack space="space.100">
          <Text>{loadError}</Text>
          <Inline>
            <Button onClick={() => void load()}>Try again</Button>
          </Inline>
        </Stack>
      </SectionMessage>
    );
  }
  const current = view.current;
  const underWay = current !== undefined && !view.finished;
  const cancellable = view.canCancel && current !== undefined && ['queued', 'retrying', 'waiting'].includes(current.status);
  return (
    <Stack space="space.200">
      <Box role="status">
        <Inline space="space.100" alignBlock="center">
          <Lozenge appearance={view.status.appearance} isBold>{view.status.label}</Lozenge>
          {current ? <Text>{`Started ${when(current.createdAt)}${current.finishedAt ? `, finished ${when(current.finishedAt)}` : ''}`}</Text> : null}
        </Inline>
      </Box>
      {!current ? (
        <SectionMessage appearance="information" title="Nothing was sent for this issue">
          <Text>{`Why: ${view.status.detail}.`}</Text>
          {view.settingsHint ? (
            view.links.projectSettings ? <Link href={view.links.projectSettings}>{view.settingsHint}</Link> : <Text>{view.settingsHint}</Text>
          ) : null}
        </SectionMessage>
      ) : null}
      {view.failure ? (
        <SectionMessage appearance="error" title={view.failure.title}>
          <Stack space="space.100">
            <Text>{view.failure.text}</Text>
            {view.failure.fixWhere === 'admin-page' && view.links.adminPage ? <Link href={view.links.adminPage}>Open the app's admin page</Link> : null}
            {view.failure.fixWhere === 'project-settings' && view.links.projectSettings ? <Link href={view.links.projectSettings}>Open the project's settings</Link> : null}
          </Stack>
        </SectionMessage>
      ) : null}
      {current && !view.failure && ['skipped', 'superseded', 'cancelled'].includes(current.status) ? (
        <SectionMessage appearance="information" title={current.label}>
          <Text>{current.reason ?? 'No reason was given.'}</Text>
        </SectionMessage>
      ) : null}
      {current && (current.status === 'retrying' || current.status === 'waiting') ? (
        <SectionMessage appearance="warning" title={current.label}>
          <Text>{`${current.reason ?? ''}${current.nextAttemptAt ? ` Next attempt at ${when(current.nextAttemptAt)}.` : ''}`}</Text>
        </SectionMessage>
      ) : null}
      {view.overdue ? (
        <SectionMessage appearance="information" title="Taking longer than expected">
          <Text>This run is overdue. The app's scheduled check resumes or ends it within a few minutes; this panel updates when it does.</Text>
        </SectionMessage>
      ) : null}
      {current?.result ? <Result result={current.result} /> : null}
      {underWay && view.previousResult ? (
        <Stack space="space.100">
          <SectionMessage appearance="information">
            <Text>{`A new run is under way. The result below is from the previous run${view.previousResult.completedAt ? ` (${when(view.previousResult.completedAt)})` : ''} and will be replaced when it finishes.`}</Text>
          </SectionMessage>
          <Result result={view.previousResult} heading="Previous result" />
        </Stack>
      ) : null}
      {current?.executionId ? <Text>{`AI Ops execution ${current.executionId} · ${current.attemptsLabel}`}</Text> : null}
      {notice ? <SectionMessage appearance={notice.appearance}><Text>{notice.text}</Text></SectionMessage> : null}
      {view.canRunAgain || cancellable ? (
        <Inline space="space.100">
          {view.canRunAgain ? (
            <Button appearance={view.runAgainIsPrimary ? 'primary' : 'default'} isDisabled={busy !== undefined || underWay} onClick={() => void act('run')}>
              {busy === 'run' ? 'Starting…' : 'Run again'}
            </Button>
          ) : null}
          {cancellable ? (
            <Button appearance="subtle" isDisabled={busy !== undefined} onClick={() => void act('cancel')}>
              {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
            </Button>
          ) : null}
        </Inline>
      ) : null}
      {view.history.length > 0 ? <History runs={view.history} /> : null}
    </Stack>
  );
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
