/** The status line of the newest run (a live region), and what the run is doing or why it stopped. */
import React from 'react';
import { Box, Inline, Link, Lozenge, SectionMessage, Stack, Text } from '@forge/react';
import { useT, when } from '../i18n';
import type { PanelAnswer } from './use-panel-view';

export function StatusLine({ view }: { view: PanelAnswer }) {
  const { t, locale } = useT();
  const current = view.current;
  return (
    <Box role="status">
      <Inline space="space.100" alignBlock="center">
        <Lozenge appearance={view.status.appearance} isBold>
          {view.status.label}
        </Lozenge>
        {current ? (
          <Text>
            {current.finishedAt
              ? t('panel.startedFinished', { started: when(current.createdAt, locale), finished: when(current.finishedAt, locale) })
              : t('panel.startedAt', { started: when(current.createdAt, locale) })}
          </Text>
        ) : null}
      </Inline>
    </Box>
  );
}

/** Why nothing ran, a failure in the reader's terms, a skip, a retry: whichever applies. */
export function RunState({ view }: { view: PanelAnswer }) {
  const { t, locale } = useT();
  const current = view.current;
  return (
    <Stack space="space.100">
      {!current ? (
        <SectionMessage appearance="information" title={t('panel.nothingSent')}>
          <Stack space="space.050">
            <Text>{t('panel.why', { detail: view.status.detail ?? '' })}</Text>
            {view.settingsHint ? view.links.projectSettings ? <Link href={view.links.projectSettings}>{t('panel.settingsLink')}</Link> : <Text>{view.settingsHint}</Text> : null}
          </Stack>
        </SectionMessage>
      ) : null}
      {view.failure ? (
        <SectionMessage appearance="error" title={view.failure.title}>
          <Stack space="space.100">
            <Text>{view.failure.text}</Text>
            {view.failure.fixWhere === 'admin-page' && view.links.adminPage ? <Link href={view.links.adminPage}>{t('panel.openAdminPage')}</Link> : null}
            {view.failure.fixWhere === 'project-settings' && view.links.projectSettings ? <Link href={view.links.projectSettings}>{t('panel.openProjectSettings')}</Link> : null}
          </Stack>
        </SectionMessage>
      ) : null}
      {current && !view.failure && ['skipped', 'superseded', 'cancelled'].includes(current.status) ? (
        <SectionMessage appearance="information" title={current.label}>
          <Text>{current.reason ?? t('panel.noReason')}</Text>
        </SectionMessage>
      ) : null}
      {current && (current.status === 'retrying' || current.status === 'waiting') ? (
        <SectionMessage appearance="warning" title={current.label}>
          <Text>{current.nextAttemptAt ? t('panel.nextAttempt', { reason: current.reason ?? '', when: when(current.nextAttemptAt, locale) }) : (current.reason ?? '')}</Text>
        </SectionMessage>
      ) : null}
      {view.overdue ? (
        <SectionMessage appearance="information" title={t('panel.overdueTitle')}>
          <Text>{t('panel.overdue')}</Text>
        </SectionMessage>
      ) : null}
    </Stack>
  );
}
