/** The issue panel: Ticket Enhancer status, result and history on the ticket, refreshed live. */
import React, { useCallback, useEffect, useState } from 'react';
import ForgeReconciler, { AdfRenderer, Button, DynamicTable, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { realtime } from '@forge/bridge';
import { call } from './call';
import type { PanelView, RunSummary } from '../core/panel-view';

const POLL_MS = 5000;

type AdfDocument = Parameters<typeof AdfRenderer>[0]['document'];

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

function HistoryTable({ runs }: { runs: RunSummary[] }) {
  return (
    <DynamicTable
      caption="Earlier runs"
      head={{ cells: [{ key: 'when', content: 'Started' }, { key: 'status', content: 'Status' }, { key: 'attempts', content: 'Attempts' }, { key: 'why', content: 'Details' }] }}
      rows={runs.map((run) => ({
        key: run.deliveryId,
        cells: [
          { key: 'when', content: when(run.createdAt) },
          { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
          { key: 'attempts', content: `${run.attempts} of ${run.attemptLimit}` },
          { key: 'why', content: run.reason ?? run.executionId ?? '' },
        ],
      }))}
    />
  );
}

function App() {
  const [view, setView] = useState<PanelView>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const load = useCallback(async () => {
    try {
      setView(await call<PanelView>('load'));
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Live refresh: a realtime message on every state change of this issue's runs.
  useEffect(() => {
    if (!view?.channel) return undefined;
    let subscription: { unsubscribe?: () => void } | undefined;
    void Promise.resolve(realtime.subscribeGlobal(view.channel, () => void load())).then((s) => {
      subscription = s as { unsubscribe?: () => void } | undefined;
    });
    return () => subscription?.unsubscribe?.();
  }, [view?.channel, load]);

  // Fallback while a run is under way: poll, one request at a time (the next waits for this answer).
  useEffect(() => {
    if (!view || view.finished) return undefined;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [view, load]);

  const runAgain = async () => {
    setStarting(true);
    try {
      const answer = await call<{ started: boolean; reason?: string }>('runAgain');
      if (!answer.started) setError(`Not started: ${answer.reason}`);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setStarting(false);
    }
  };

  if (!view) {
    return error ? <SectionMessage appearance="error" title="The Ticket Enhancer panel could not load"><Text>{error}</Text></SectionMessage> : <Spinner label="Loading the Ticket Enhancer status" />;
  }
  const current = view.current;
  return (
    <Stack space="space.200">
      <Inline space="space.100" alignBlock="center">
        <Lozenge appearance={view.status.appearance} isBold>{view.status.label}</Lozenge>
        {current ? <Text>{`Started ${when(current.createdAt)}${current.finishedAt ? `, finished ${when(current.finishedAt)}` : ''}`}</Text> : null}
      </Inline>
      {error ? <SectionMessage appearance="warning"><Text>{error}</Text></SectionMessage> : null}
      {!current ? (
        <SectionMessage appearance="information" title="Nothing was sent for this issue">
          <Text>{`Why: ${view.status.detail}.`}</Text>
          {view.settingsHint ? <Text>{view.settingsHint}</Text> : null}
        </SectionMessage>
      ) : null}
      {current && (current.status === 'failed' || current.status === 'timed-out' || current.status === 'skipped') ? (
        <SectionMessage appearance={current.status === 'skipped' ? 'information' : 'error'} title={current.label}>
          <Text>{current.reason ?? 'No reason was given.'}</Text>
        </SectionMessage>
      ) : null}
      {current?.status === 'retrying' ? (
        <SectionMessage appearance="warning" title={current.label}>
          <Text>{`${current.reason ?? ''}${current.nextAttemptAt ? ` Next attempt at ${when(current.nextAttemptAt)}.` : ''}`}</Text>
        </SectionMessage>
      ) : null}
      {current?.result?.map((section) => (
        <Stack key={section.title} space="space.050">
          <Heading size="small">{section.title}</Heading>
          <AdfRenderer document={section.document as unknown as AdfDocument} />
        </Stack>
      ))}
      {current?.executionId ? <Text>{`Execution ${current.executionId}`}</Text> : null}
      {view.history.length > 0 ? <HistoryTable runs={view.history} /> : null}
      {view.canRunAgain ? (
        <Inline>
          <Button appearance="primary" isDisabled={starting || !view.finished} onClick={() => void runAgain()}>
            Run again
          </Button>
        </Inline>
      ) : null}
    </Stack>
  );
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
