/**
 * "Are you sure?" before an action with consequences (another AI Ops comment, sending past a
 * filter, replacing a value a person set): what will happen, the action named, and Cancel.
 */
import React from 'react';
import { Button, Inline, SectionMessage, Stack, Text } from '@forge/react';
import { useT } from './i18n';

export interface ConfirmMessageProps {
  /** information for an ordinary confirmation, warning when something is overridden or replaced. */
  appearance: 'information' | 'warning';
  title?: string;
  text: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  isDisabled?: boolean;
}

export function ConfirmMessage({ appearance, title, text, confirmLabel, onConfirm, onCancel, isDisabled }: ConfirmMessageProps) {
  const { t } = useT();
  return (
    <SectionMessage appearance={appearance} {...(title ? { title } : {})}>
      <Stack space="space.100">
        <Text>{text}</Text>
        <Inline space="space.100">
          <Button appearance={appearance === 'warning' ? 'warning' : 'primary'} isDisabled={isDisabled} onClick={onConfirm}>
            {confirmLabel}
          </Button>
          <Button appearance="subtle" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
        </Inline>
      </Stack>
    </SectionMessage>
  );
}
