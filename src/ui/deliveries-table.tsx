/** Deliveries with their HTTP outcome, attempts and latency (admin and project pages). */
import React from 'react';
import { Button, DynamicTable, Heading, Inline, Link, Lozenge, Stack, Text } from '@forge/react';
import type { RunSummary } from '../core/panel-view';
import { call } from './call';
import { useT, when } from './i18n';

export function DeliveriesTable({ runs, title, action }: { runs: RunSummary[]; title: string; action?: { header: string; cell: (run: RunSummary) => React.ReactNode } }) {
  const { t, locale } = useT();
  return (
    <Stack space="space.100">
      <Heading size="medium">{title}</Heading>
      {runs.length === 0 ? (
        <Text>{t('deliveries.none')}</Text>
      ) : (
        <DynamicTable
          head={{
            cells: [
              { key: 'issue', content: t('deliveries.issue') },
              { key: 'time', content: t('deliveries.started') },
              { key: 'status', content: t('deliveries.status') },
              { key: 'trigger', content: t('deliveries.trigger') },
              { key: 'http', content: t('deliveries.http') },
              { key: 'attempts', content: t('deliveries.attempts') },
              { key: 'latency', content: t('deliveries.latency') },
              { key: 'reason', content: t('deliveries.reason') },
              ...(action ? [{ key: 'action', content: action.header }] : []),
            ],
          }}
          rows={runs.map((run) => ({
            key: run.deliveryId,
            cells: [
              { key: 'issue', content: <Link href={`/browse/${run.issueKey}`}>{run.issueKey}</Link> },
              { key: 'time', content: when(run.createdAt, locale) },
              { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
              { key: 'trigger', content: run.trigger },
              { key: 'http', content: run.httpStatus ? String(run.httpStatus) : '–' },
              { key: 'attempts', content: run.attemptsLabel },
              { key: 'latency', content: run.latencyMs !== undefined ? t('deliveries.ms', { ms: run.latencyMs }) : '–' },
              { key: 'reason', content: run.reason ?? run.resultSummary ?? '' },
              ...(action ? [{ key: 'action', content: action.cell(run) }] : []),
            ],
          }))}
        />
      )}
    </Stack>
  );
}

/** "Older deliveries" under a table that has more, with its loading state. */
export function OlderDeliveries({ loading, disabled, onMore }: { loading: boolean; disabled: boolean; onMore: () => void }) {
  const { t } = useT();
  return (
    <Inline>
      <Button onClick={onMore} isDisabled={disabled}>
        {loading ? t('common.loadingMore') : t('deliveries.older')}
      </Button>
    </Inline>
  );
}

interface DeliveriesPage {
  deliveries: RunSummary[];
  deliveriesCursor?: string | null;
}

/** The view with the next page of deliveries appended (the admin and project pages' resolvers answer `deliveries`). */
export async function withOlderDeliveries<V extends DeliveriesPage>(view: V): Promise<V> {
  const page = await call<DeliveriesPage>('deliveries', { cursor: view.deliveriesCursor });
  return { ...view, deliveries: [...view.deliveries, ...page.deliveries], deliveriesCursor: page.deliveriesCursor ?? null };
}
