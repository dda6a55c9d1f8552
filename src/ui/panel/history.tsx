/** Earlier runs; a row opens to show what it produced or why it stopped, and links to its comment. */
import React, { useState } from 'react';
import { Box, Button, DynamicTable, Heading, Link, Lozenge, Stack, Text } from '@forge/react';
import type { RunSummary } from '../../core/panel-view';
import { useT, when } from '../i18n';
import { RunNotes } from './run-notes';

export function History({ runs }: { runs: RunSummary[] }) {
  const { t, locale } = useT();
  const [open, setOpen] = useState<string>();
  const shown = runs.find((run) => run.deliveryId === open);
  return (
    <Stack space="space.100">
      <Heading size="small">{t('panel.earlierRuns')}</Heading>
      <DynamicTable
        head={{
          cells: [
            { key: 'when', content: t('panel.started') },
            { key: 'status', content: t('panel.status') },
            { key: 'why', content: t('panel.trigger') },
            { key: 'details', content: t('panel.details') },
          ],
        }}
        rows={runs.map((run) => ({
          key: run.deliveryId,
          cells: [
            { key: 'when', content: when(run.createdAt, locale) },
            { key: 'status', content: <Lozenge appearance={run.appearance}>{run.label}</Lozenge> },
            { key: 'why', content: run.trigger },
            {
              key: 'details',
              content: (
                <Button appearance="subtle" onClick={() => setOpen(open === run.deliveryId ? undefined : run.deliveryId)}>
                  {open === run.deliveryId ? t('panel.hide') : t('panel.show')}
                </Button>
              ),
            },
          ],
        }))}
      />
      {shown ? (
        <Box padding="space.100">
          <Stack space="space.050">
            <Text>{shown.finishedAt ? t('panel.historyLineFinished', { label: shown.label, attempts: shown.attemptsLabel, when: when(shown.finishedAt, locale) }) : t('panel.historyLine', { label: shown.label, attempts: shown.attemptsLabel })}</Text>
            {shown.resultSummary ? <Text>{t('panel.resultLine', { summary: shown.resultSummary })}</Text> : null}
            {shown.commentLink ? <Link href={shown.commentLink} openNewTab>{t('panel.openComment')}</Link> : null}
            {shown.reason ? <Text>{shown.reason}</Text> : null}
            <RunNotes notes={shown.notes} />
            {shown.executionId ? <Text>{t('panel.execution', { id: shown.executionId })}</Text> : null}
          </Stack>
        </Box>
      ) : null}
    </Stack>
  );
}
