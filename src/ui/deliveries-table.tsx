/** Recent deliveries with their HTTP outcome, attempts and latency (admin and project pages). */
import React from 'react';
import { DynamicTable, Lozenge, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';

export function DeliveriesTable({ runs, caption, action }: { runs: RunSummary[]; caption: string; action?: (run: RunSummary) => React.ReactNode }) {
  if (runs.length === 0) return <Text>{`${caption}: none yet.`}</Text>;
  return (
    <DynamicTable
      caption={caption}
      head={{
        cells: [
          { key: 'issue', content: 'Issue' },
          { key: 'time', content: 'Time' },
          { key: 'status', content: 'Status' },
          { key: 'http', content: 'HTTP' },
          { key: 'attempts', content: 'Attempts' },
          { key: 'latency', content: 'Latency' },
          { key: 'reason', content: 'Reason' },
          ...(action ? [{ key: 'action', content: '' }] : []),
        ],
      }}
      rows={runs.map((run) => ({
        key: run.deliveryId,
        cells: [
          { key: 'issue', content: run.issueKey },
          { key: 'time', content: new Date(run.createdAt).toLocaleString() },
          { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
          { key: 'http', content: run.httpStatus ? String(run.httpStatus) : '' },
          { key: 'attempts', content: `${run.attempts} of ${run.attemptLimit}` },
          { key: 'latency', content: run.latencyMs !== undefined ? `${run.latencyMs} ms` : '' },
          { key: 'reason', content: run.reason ?? '' },
          ...(action ? [{ key: 'action', content: action(run) }] : []),
        ],
      }))}
    />
  );
}
