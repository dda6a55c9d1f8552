/**
 * "Check at AI Ops" (Jira admins, when the admin page turned the lookup on): asks AI Ops' execution
 * records about the newest run now, and says what they hold; the panel reloads with the outcome.
 */
import React, { useState } from 'react';
import { Button, Inline, SectionMessage, Stack, Text } from '@forge/react';
import { call } from '../call';
import { useT } from '../i18n';

export function CheckAtAiops({ reload }: { reload: () => Promise<void> }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ appearance: 'information' | 'warning'; text: string }>();
  const check = async () => {
    setBusy(true);
    setAnswer(undefined);
    try {
      const found = await call<{ found: string; text: string }>('checkAtAiops', {});
      setAnswer({ appearance: found.found === 'unavailable' ? 'warning' : 'information', text: found.text });
      await reload();
    } catch (e) {
      setAnswer({ appearance: 'warning', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack space="space.100">
      {answer ? <SectionMessage appearance={answer.appearance}><Text>{answer.text}</Text></SectionMessage> : null}
      <Inline>
        <Button appearance="default" isDisabled={busy} onClick={() => void check()}>
          {busy ? t('panel.checking') : t('panel.checkAtAiops')}
        </Button>
      </Inline>
    </Stack>
  );
}
