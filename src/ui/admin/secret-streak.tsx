/**
 * AI Ops stopped accepting the secret after it had worked (a 401 streak): since when, where to get
 * the agent's secret, and, once it is updated, the runs it refused redelivered in one click (a
 * redelivery of the runs that failed with 401 since then).
 */
import React, { useState } from 'react';
import { Button, Inline, SectionMessage, Stack, Text } from '@forge/react';
import { call } from '../call';
import { useT, when } from '../i18n';
import type { AdminView } from './types';

interface BulkAnswer {
  ok: boolean;
  errors?: Array<{ field: string; message: string }>;
  bulk?: { total?: number };
}

export function SecretStreakBanner({ view }: { view: AdminView }) {
  const { t, locale } = useT();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string }>();
  const streak = view.health.secretStreak;
  if (!streak) return null;
  const unchanged = view.health.streakSecretUnchanged === true;
  const redeliver = async () => {
    setBusy(true);
    setAnswer(undefined);
    try {
      const started = await call<BulkAnswer>('bulkStart', { kind: 'redeliver', filter: { since: streak.firstCreated, statuses: ['failed'], httpStatus: 401 } });
      setAnswer(started.ok ? { ok: true, text: t('streak.started') } : { ok: false, text: (started.errors ?? []).map((e) => e.message).join(' ') });
    } catch (e) {
      setAnswer({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <SectionMessage appearance="error" title={t('streak.title', { when: when(streak.since, locale) })}>
      <Stack space="space.100">
        <Text>{t(streak.count === 1 ? 'streak.adminOne' : 'streak.admin', { n: streak.count })}</Text>
        <Text>{t('streak.regenerate')}</Text>
        {unchanged ? <Text>{t('streak.unchanged')}</Text> : null}
        {answer ? <Text>{answer.text}</Text> : null}
        <Inline>
          <Button appearance="primary" isDisabled={busy || unchanged || answer?.ok === true} onClick={() => void redeliver()}>
            {t(streak.count === 1 ? 'streak.redeliverOne' : 'streak.redeliver', { n: streak.count })}
          </Button>
        </Inline>
      </Stack>
    </SectionMessage>
  );
}
