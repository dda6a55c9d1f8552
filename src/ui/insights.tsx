/**
 * "How it is going" on the admin and project pages: the last 30 days of enhanced tickets by day
 * and outcome (a UI Kit StackBarChart), the time from the run's start to its result, and the top
 * failure reasons, each opening the deliveries that failed for it.
 */
import React from 'react';
import { Button, Heading, Inline, Lozenge, Stack, StackBarChart, Text } from '@forge/react';
import type { Insights } from '../core/outcome-stats';
import type { RunSummary } from '../core/panel-view';
import { call } from './call';

const OUTCOMES = [
  ['completed', 'Completed'],
  ['failed', 'Failed'],
  ['timedOut', 'Timed out'],
] as const;

/** A duration as a person says it: 40 s, 2.5 min, 1.2 h. */
export function durationText(ms: number | undefined): string {
  if (ms === undefined) return 'no result yet';
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The chart's rows: one per day and outcome. */
export function chartRows(insights: Insights): Array<{ day: string; outcome: string; tickets: number }> {
  return insights.days.flatMap((d) => OUTCOMES.map(([key, label]) => ({ day: d.day.slice(5), outcome: label, tickets: d[key] })));
}

export interface ReasonFilter {
  key: string;
  label: string;
  runs: RunSummary[];
}

export function InsightsSection({ insights, onReason }: { insights: Insights; onReason: (filter: ReasonFilter) => void }) {
  const { totals } = insights;
  const finished = totals.completed + totals.failed + totals.timedOut;
  const show = async (key: string, label: string) => {
    const answer = await call<{ deliveries: RunSummary[] }>('deliveries', { reason: key });
    onReason({ key, label, runs: answer.deliveries });
  };
  return (
    <Stack space="space.150">
      <Heading size="medium">The last 30 days</Heading>
      {finished === 0 ? (
        <Text>No run has finished in the last 30 days. The figures are updated every five minutes while runs are under way.</Text>
      ) : (
        <Stack space="space.150">
          <Text>
            {`${totals.completed} tickets enhanced, ${totals.failed} failed, ${totals.timedOut} timed out. From the start of a run to its result: half within about ${durationText(insights.medianMs)}, 95% within about ${durationText(insights.p95Ms)}.`}
          </Text>
          <StackBarChart title="Tickets per day, by outcome" data={chartRows(insights)} xAccessor="day" yAccessor="tickets" colorAccessor="outcome" />
          {insights.topReasons.length > 0 ? (
            <Stack space="space.100">
              <Heading size="small">Why runs failed</Heading>
              {insights.topReasons.map((reason) => (
                <Inline key={reason.key} space="space.100" alignBlock="center">
                  <Lozenge appearance="removed">{String(reason.count)}</Lozenge>
                  <Text>{reason.label}</Text>
                  <Button appearance="subtle" onClick={() => void show(reason.key, reason.label)}>
                    Show these deliveries
                  </Button>
                </Inline>
              ))}
            </Stack>
          ) : null}
        </Stack>
      )}
    </Stack>
  );
}
