/** What was done with a result: who (UI Kit's User draws the name, so the app reads no user data), what, when. */
import React from 'react';
import { Heading, Inline, Stack, Text, User } from '@forge/react';
import type { ResultExtras } from '../../../core/result-extras';
import { useT, when } from '../../i18n';

export function ResultHistory({ done, reader }: { done: ResultExtras['done']; reader?: string }) {
  const { t, locale } = useT();
  if (done.length === 0) return null;
  return (
    <Stack space="space.050">
      <Heading size="xsmall">{t('suggest.doneTitle')}</Heading>
      {done.slice(0, 20).map((item, i) => (
        <Inline key={`${item.at}-${i}`} space="space.050" alignBlock="center" shouldWrap>
          {item.by === undefined ? <Text>{t('suggest.project')}</Text> : item.by === reader ? <Text>{t('suggest.you')}</Text> : <User accountId={item.by} />}
          <Text>{t('suggest.doneLine', { text: item.text, when: when(item.at, locale) })}</Text>
        </Inline>
      ))}
    </Stack>
  );
}
