/**
 * "How it is going" on the admin and project pages: the last 30 days of enhanced tickets by day
 * and outcome (a UI Kit StackBarChart), the time from the run's start to its result, and the top
 * failure reasons, each opening the deliveries that failed for it.
 */
import React from 'react';
import { Button, Heading, Inline, Lozenge, Stack, StackBarChart, Text } from '@forge/react';
import type { Insights } from '../core/outcome-stats';
import type { Translate } from '../core/i18n';
import type { RunSummary } from '../core/panel-view';
import { call } from './call';
import { useT } from './i18n';

const OUTCOMES = [
  ['completed', 'status.completed'],
  ['failed', 'status.failed'],
  ['timedOut', 'status.timed-out'],
] as const;

/** A duration as a person says it: 40 s, 2.5 min, 1.2 h. */
export function durationText(ms: number | undefined, t: Translate): string {
  if (ms === undefined) return t('insights.noResultYet');
  if (ms < 90_000) return t('insights.seconds', { n: Math.round(ms / 1000) });
  if (ms < 90 * 60_000) return t('insights.minutes', { n: (ms / 60_000).toFixed(1) });
  return t('insights.hours', { n: (ms / 3_600_000).toFixed(1) });
}

/** The chart's rows: one per day and outcome; days as the reader writes them ("Dec 5", "5. Dez."). */
export function chartRows(insights: Insights, t: Translate, locale?: string): Array<{ day: string; outcome: string; runs: number }> {
  const dayText = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return insights.days.flatMap((d) => OUTCOMES.map(([key, label]) => ({ day: dayText(d.day), outcome: t(label), runs: d[key] })));
}

export interface ReasonFilter {
  key: string;
  label: string;
  runs: RunSummary[];
}

/** How agents used the results: the share found helpful, and of suggestions applied. */
function Usage({ insights }: { insights: Insights }) {
  const { t } = useT();
  const a = insights.actions;
  if (!a || (a.helpful + a.notHelpful === 0 && a.offered === 0)) return null;
  const percent = (share: number | undefined) => (share === undefined ? '–' : `${Math.round(share * 100)}%`);
  const rows = [
    { measure: t('insights.helpfulBar'), part: t('insights.yes'), count: a.helpful },
    { measure: t('insights.helpfulBar'), part: t('insights.no'), count: a.notHelpful },
    { measure: t('insights.appliedBar'), part: t('insights.applied'), count: Math.min(a.applied, a.offered) },
    { measure: t('insights.appliedBar'), part: t('insights.notApplied'), count: Math.max(0, a.offered - a.applied) },
  ];
  return (
    <Stack space="space.100">
      <Heading size="small">{t('insights.usageTitle')}</Heading>
      <Text>{t('insights.usage', { helpful: percent(a.helpfulShare), votes: a.helpful + a.notHelpful, applied: percent(a.appliedShare), offered: a.offered })}</Text>
      <StackBarChart title={t('insights.usageTitle')} data={rows} xAccessor="measure" yAccessor="count" colorAccessor="part" />
    </Stack>
  );
}

export function InsightsSection({ insights, onReason }: { insights: Insights; onReason: (filter: ReasonFilter) => void }) {
  const { t, locale } = useT();
  const { totals } = insights;
  const finished = totals.completed + totals.failed + totals.timedOut;
  const show = async (key: string, label: string) => {
    const answer = await call<{ deliveries: RunSummary[] }>('deliveries', { reason: key });
    onReason({ key, label, runs: answer.deliveries });
  };
  return (
    <Stack space="space.150">
      <Heading size="medium">{t('insights.title')}</Heading>
      {finished === 0 ? (
        <Text>{t('insights.none')}</Text>
      ) : (
        <Stack space="space.150">
          <Text>
            {t('insights.summary', { completed: totals.completed, failed: totals.failed, timedOut: totals.timedOut, median: durationText(insights.medianMs, t), p95: durationText(insights.p95Ms, t) })}
          </Text>
          <StackBarChart title={t('insights.chartTitle')} data={chartRows(insights, t, locale)} xAccessor="day" yAccessor="runs" colorAccessor="outcome" />
          <Text>{t('insights.updated')}</Text>
          {insights.topReasons.length > 0 ? (
            <Stack space="space.100">
              <Heading size="small">{t('insights.whyFailed')}</Heading>
              {insights.topReasons.map((reason) => (
                <Inline key={reason.key} space="space.100" alignBlock="center">
                  <Lozenge appearance="removed">{String(reason.count)}</Lozenge>
                  <Text>{reason.label}</Text>
                  <Button appearance="subtle" onClick={() => void show(reason.key, reason.label)}>
                    {t('insights.showDeliveries')}
                  </Button>
                </Inline>
              ))}
            </Stack>
          ) : null}
        </Stack>
      )}
      <Usage insights={insights} />
    </Stack>
  );
}

/** Above the deliveries while a failure reason from the charts filters them: what is shown, and the way back. */
export function ReasonFilterNote({ filter, onClear }: { filter: ReasonFilter | undefined; onClear: () => void }) {
  const { t } = useT();
  if (!filter) return null;
  return (
    <Inline space="space.100" alignBlock="center">
      <Text>{t('deliveries.filtered', { reason: filter.label })}</Text>
      <Button appearance="subtle" onClick={onClear}>
        {t('deliveries.showAll')}
      </Button>
    </Inline>
  );
}
