/** Deliveries with their HTTP outcome, attempts and latency (admin and project pages). */
import React from 'react';
import { DynamicTable, Heading, Link, Lozenge, Stack, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';

export function DeliveriesTable({ runs, title, action }: { runs: RunSummary[]; title: string; action?: { header: string; cell: (run: RunSummary) => React.ReactNode } }) {
  return (
    <Stack space="space.100">
      <Heading size="medium">{title}</Heading>
      {runs.length === 0 ? (
        <Text>None yet.</Text>
      ) : (
        <DynamicTable
          head={{
            cells: [
              { key: 'issue', content: 'Issue' },
              { key: 'time', content: 'Started' },
              { key: 'status', content: 'Status' },
              { key: 'http', content: 'HTTP' },
              { key: 'attempts', content: 'Attempts' },
              { key: 'latency', content: 'Latency' },
              { key: 'reason', content: 'Reason' },
              ...(action ? [{ key: 'action', content: action.header }] : []),
            ],
          }}
          rows={runs.map((run) => ({
            key: run.deliveryId,
            cells: [
              { key: 'issue', content: <Link href={`/browse/${run.issueKey}`}>{run.issueKey}</Link> },
              { key: 'time', content: new Date(run.createdAt).toLocaleString() },
              { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
              { key: 'http', content: run.httpStatus ? String(run.httpStatus) : '–' },
              { key: 'attempts', content: run.attemptsLabel },
              { key: 'latency', content: run.latencyMs !== undefined ? `${run.latencyMs} ms` : '–' },
              { key: 'reason', content: run.reason ?? run.resultSummary ?? '' },
              ...(action ? [{ key: 'action', content: action.cell(run) }] : []),
            ],
          }))}
        />
      )}
    </Stack>
  );
}
