/** Jira admins: AI Ops stopped accepting the secret; where to update it and redeliver what it refused. */
import React from 'react';
import { Link, SectionMessage, Stack, Text } from '@forge/react';
import { useT, when } from '../i18n';
import type { PanelAnswer } from './use-panel-view';

export function SecretStopped({ view }: { view: PanelAnswer }) {
  const { t, locale } = useT();
  const stopped = view.secretStopped;
  if (!stopped) return null;
  return (
    <SectionMessage appearance="error" title={t('streak.title', { when: when(stopped.since, locale) })}>
      <Stack space="space.050">
        <Text>{t(stopped.count === 1 ? 'streak.panelOne' : 'streak.panel', { n: stopped.count })}</Text>
        {view.links.adminPage ? <Link href={view.links.adminPage}>{t('streak.openAdmin')}</Link> : null}
      </Stack>
    </SectionMessage>
  );
}
