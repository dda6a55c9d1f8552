/**
 * The analysis's suggested fields: Apply, Edit then Apply, or Dismiss. Applying writes as the user;
 * a value that would replace one already set asks first; what the project does not have is shown
 * as not applicable.
 */
import React, { useState } from 'react';
import { Button, Heading, Inline, Lozenge, Stack, Text, Textfield } from '@forge/react';
import type { SuggestionView } from '../../../core/result-extras';
import { call } from '../../call';
import { useT } from '../../i18n';
import { ConfirmMessage } from '../../confirm-message';
import type { Extras } from './use-extras';

interface ApplyAnswer {
  applied: boolean;
  already?: boolean;
  needsConfirm?: boolean;
  notApplicable?: string[];
  text?: string;
}

function Suggestion({ deliveryId, suggestion, check, canApply, onDone }: { deliveryId: string; suggestion: SuggestionView; check?: Extras['checks'][number]; canApply: boolean; onDone: () => Promise<void> }) {
  const { t } = useT();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(suggestion.values.join(', '));
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string>();
  const [message, setMessage] = useState<string>();
  const field = t(`suggest.field.${suggestion.field}`);
  const values = (editing ? draft.split(',') : suggestion.values).map((v) => v.trim()).filter(Boolean);
  const act = async (name: 'applySuggestion' | 'dismissSuggestion', replace = false) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await call<ApplyAnswer & { dismissed?: boolean }>(name, { deliveryId, field: suggestion.field, values, ...(replace ? { replace: true } : {}) });
      if (answer.needsConfirm) setConfirm(answer.text);
      else {
        setConfirm(undefined);
        setEditing(false);
        setMessage(answer.text);
        await onDone();
      }
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const notApplicable = check?.notApplicable ?? [];
  const nothingApplies = check !== undefined && check.applicable.length === 0;
  return (
    <Stack space="space.050">
      <Inline space="space.100" alignBlock="center" shouldWrap>
        <Text>{t('suggest.line', { field, values: suggestion.values.join(', ') })}</Text>
        {suggestion.confidence !== undefined ? <Text>{t('suggest.confidence', { percent: Math.round(suggestion.confidence * 100) })}</Text> : null}
        {suggestion.state !== 'offered' ? <Lozenge appearance={suggestion.state === 'applied' ? 'success' : 'default'}>{t(`suggest.state.${suggestion.state}`)}</Lozenge> : null}
      </Inline>
      {check && check.current.length > 0 ? <Text>{t('suggest.current', { values: check.current.join(', ') })}</Text> : null}
      {notApplicable.length > 0 ? <Text>{t('suggest.notApplicableHere', { values: notApplicable.join(', ') })}</Text> : null}
      {editing ? <Textfield name={`edit-${suggestion.field}`} value={draft} onChange={(e) => setDraft((e.target as HTMLInputElement).value)} /> : null}
      {confirm ? (
        <ConfirmMessage appearance="warning" text={confirm} confirmLabel={t('suggest.replace')} isDisabled={busy} onConfirm={() => void act('applySuggestion', true)} onCancel={() => setConfirm(undefined)} />
      ) : null}
      {canApply && suggestion.state === 'offered' && !confirm ? (
        <Inline space="space.100">
          <Button appearance="primary" isDisabled={busy || (nothingApplies && !editing)} onClick={() => void act('applySuggestion')}>
            {editing ? t('suggest.applyEdited') : t('suggest.apply')}
          </Button>
          {!editing ? (
            <Button appearance="default" isDisabled={busy} onClick={() => setEditing(true)}>
              {t('suggest.edit')}
            </Button>
          ) : null}
          <Button appearance="subtle" isDisabled={busy} onClick={() => (editing ? setEditing(false) : void act('dismissSuggestion'))}>
            {editing ? t('common.cancel') : t('suggest.dismiss')}
          </Button>
        </Inline>
      ) : null}
      {message ? <Text>{message}</Text> : null}
    </Stack>
  );
}

export function Suggestions({ deliveryId, suggestions, extras, canApply, onDone }: { deliveryId: string; suggestions: SuggestionView[]; extras?: Extras; canApply: boolean; onDone: () => Promise<void> }) {
  const { t } = useT();
  if (suggestions.length === 0) return null;
  return (
    <Stack space="space.150">
      <Heading size="xsmall">{t('suggest.title')}</Heading>
      {suggestions.map((suggestion) => (
        <Suggestion key={suggestion.field} deliveryId={deliveryId} suggestion={suggestion} check={extras?.checks.find((c) => c.field === suggestion.field)} canApply={canApply} onDone={onDone} />
      ))}
    </Stack>
  );
}
