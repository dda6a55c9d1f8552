/** The admin page's first line: the state of the connection and of the last day, in a few words. */
import React from 'react';
import { Inline, Lozenge, Text } from '@forge/react';
import { say } from '../../core/i18n';
import { healthLine } from '../../core/site-health';
import { useT, when } from '../i18n';
import type { AdminView } from './types';

const LOZENGE = { success: 'success', warning: 'moved', error: 'removed', information: 'default' } as const;

export function StatusHeader({ view, egressApproved }: { view: AdminView; egressApproved: boolean | undefined }) {
  const { t, locale } = useT();
  const line = healthLine(view.health, egressApproved);
  return (
    <Inline space="space.100" alignBlock="center" shouldWrap>
      <Lozenge appearance={LOZENGE[line.tone]} isBold>
        {say(t, line.state)}
      </Lozenge>
      {line.failures ? <Text>{say(t, line.failures)}</Text> : null}
      {view.health.failing ? <Text>{t('health.since', { when: when(view.health.failing.at, locale) })}</Text> : null}
    </Inline>
  );
}
