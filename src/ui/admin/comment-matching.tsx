/**
 * Results by comment: how a comment is tied to its run. The run marker line to add to the agent's
 * instructions (selectable: UI Kit gives apps no clipboard), its caveats, what follows when the
 * AI Ops account is a person's, and what customers of a service project would see.
 */
import React from 'react';
import { Label, SectionMessage, Stack, Text, Textfield } from '@forge/react';
import { markerInstruction } from '../../core/run-marker';
import { ToggleField } from '../fields';
import { useT } from '../i18n';
import type { Settings } from './types';

export function CommentMatching({ form, set }: { form: Settings; set: <K extends keyof Settings>(key: K) => (value: Settings[K]) => void }) {
  const { t } = useT();
  const line = markerInstruction(form.strictPayload);
  return (
    <Stack space="space.150">
      <ToggleField name="runMarker" label={t('admin.runMarker')} checked={form.runMarker} onChange={set('runMarker')} />
      <Stack space="space.050">
        <Label labelFor="marker-line">{t('admin.markerLine')}</Label>
        <Textfield id="marker-line" name="marker-line" value={line} isReadOnly />
        <Text>{t(form.strictPayload ? 'admin.markerHowStrict' : 'admin.markerHow')}</Text>
        <Text>{t('admin.markerCaveats')}</Text>
        <Text>{form.runMarker ? t('admin.markerOn') : t('admin.markerOff')}</Text>
      </Stack>
      {form.resultAccount && !form.runMarker ? (
        <SectionMessage appearance="warning" title={t('admin.personTitle', { name: form.resultAccount.displayName ?? form.resultAccount.accountId })}>
          <Text>{t('admin.personText')}</Text>
        </SectionMessage>
      ) : null}
      <SectionMessage appearance="information" title={t('admin.jsmTitle')}>
        <Stack space="space.050">
          <Text>{t('admin.jsmText')}</Text>
          <Text>{t('admin.jsmHow')}</Text>
        </Stack>
      </SectionMessage>
    </Stack>
  );
}
