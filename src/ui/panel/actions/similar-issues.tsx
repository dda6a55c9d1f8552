/** Issues the analysis names, as cards the viewer may see, each linked to this one in one click. */
import React, { useState } from 'react';
import { Button, Heading, Inline, Lozenge, Stack, Text } from '@forge/react';
import { call } from '../../call';
import { useT } from '../../i18n';
import type { Extras } from './use-extras';

export function SimilarIssues({ deliveryId, extras, canLink, onDone }: { deliveryId: string; extras: Extras; canLink: boolean; onDone: () => Promise<void> }) {
  const { t } = useT();
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<string>();
  if (extras.cards.length === 0) return null;
  const link = async (key: string) => {
    setBusy(key);
    setMessage(undefined);
    try {
      const answer = await call<{ linked: boolean; already?: boolean }>('linkIssue', { deliveryId, key });
      setMessage(answer.already ? t('similar.already', { key }) : t('similar.linkedNow', { key, type: extras.linkType }));
      await onDone();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Stack space="space.100">
      <Heading size="xsmall">{t('similar.title')}</Heading>
      {extras.cards.map((card) => (
        <Inline key={card.key} space="space.100" alignBlock="center" shouldWrap>
          <Text>{t('similar.card', { key: card.key, summary: card.summary })}</Text>
          <Lozenge appearance={card.done ? 'success' : 'default'}>{card.status}</Lozenge>
          {card.linked ? (
            <Lozenge appearance="inprogress">{t('similar.linked')}</Lozenge>
          ) : canLink ? (
            <Button appearance="default" isDisabled={busy !== undefined} onClick={() => void link(card.key)}>
              {busy === card.key ? t('similar.linking') : t('similar.link', { type: extras.linkType })}
            </Button>
          ) : null}
        </Inline>
      ))}
      {message ? <Text>{message}</Text> : null}
    </Stack>
  );
}
