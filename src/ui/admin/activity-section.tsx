/** Activity: the last 30 days in charts, then the deliveries, newest first (or those of one failure reason). */
import React, { useState } from 'react';
import { Stack } from '@forge/react';
import { DeliveriesTable, OlderDeliveries, withOlderDeliveries } from '../deliveries-table';
import { useT } from '../i18n';
import { InsightsSection, ReasonFilterNote, type ReasonFilter } from '../insights';
import type { SectionProps } from './types';

export function ActivitySection({ view, show }: SectionProps) {
  const { t } = useT();
  const [reasonFilter, setReasonFilter] = useState<ReasonFilter>();
  const [loading, setLoading] = useState(false);
  const more = async () => {
    if (!view.deliveriesCursor) return;
    setLoading(true);
    try {
      show(await withOlderDeliveries(view));
    } finally {
      setLoading(false);
    }
  };
  return (
    <Stack space="space.300">
      <InsightsSection insights={view.insights} onReason={setReasonFilter} />
      <ReasonFilterNote filter={reasonFilter} onClear={() => setReasonFilter(undefined)} />
      <DeliveriesTable runs={reasonFilter ? reasonFilter.runs : view.deliveries} title={reasonFilter ? t('deliveries.forReason') : t('admin.recentDeliveries')} />
      {view.deliveriesCursor && !reasonFilter ? <OlderDeliveries loading={loading} disabled={loading} onMore={() => void more()} /> : null}
    </Stack>
  );
}
