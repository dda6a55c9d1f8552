/** The answer to an action, shown right under the control that started it. */
import React from 'react';
import { Button, Inline, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { useT } from './i18n';

export interface FeedbackMessage {
  appearance: 'success' | 'error' | 'warning' | 'information';
  title: string;
  lines: string[];
  /** Still working: a spinner beside the title. */
  busy?: boolean;
  action?: { label: string; run: () => void };
}

export function Feedback({ message }: { message?: FeedbackMessage }) {
  const { t } = useT();
  if (!message) return null;
  return (
    <SectionMessage appearance={message.appearance} title={message.title}>
      <Stack space="space.100">
        {message.busy ? <Spinner size="small" label={t('common.working')} /> : null}
        {message.lines.map((line, i) => (
          <Text key={i}>{line}</Text>
        ))}
        {message.action ? (
          <Inline>
            <Button onClick={message.action.run}>{message.action.label}</Button>
          </Inline>
        ) : null}
      </Stack>
    </SectionMessage>
  );
}

/** What every screen shows instead of its content while the app has no active licence on the site. */
export function UnlicensedNotice({ message }: { message: string }) {
  const { t } = useT();
  return (
    <SectionMessage appearance="warning" title={t('licence.title')}>
      <Text>{message}</Text>
    </SectionMessage>
  );
}
