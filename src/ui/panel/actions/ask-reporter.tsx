/** Asks the reporter for what the analysis says is missing: a draft to edit, then a reply or a note. */
import React, { useState } from 'react';
import { Button, Inline, Label, SectionMessage, Select, Stack, Text, TextArea } from '@forge/react';
import { replyDraft } from '../../../core/result-extras';
import { call } from '../../call';
import { useT } from '../../i18n';

export function AskReporter({ deliveryId, missing, reporter, serviceDesk, onDone }: { deliveryId: string; missing: string[]; reporter?: string; serviceDesk: boolean; onDone: () => Promise<void> }) {
  const { t } = useT();
  const [draft, setDraft] = useState<string>();
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  if (missing.length === 0) return null;
  const post = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await call<{ posted: boolean; kind: string }>('askReporter', { deliveryId, text: draft, internal });
      setMessage({ ok: true, text: t(`ask.posted.${answer.kind}`) });
      setDraft(undefined);
      await onDone();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack space="space.100">
      {message ? <SectionMessage appearance={message.ok ? 'success' : 'warning'}><Text>{message.text}</Text></SectionMessage> : null}
      {draft === undefined ? (
        <Inline>
          <Button appearance="default" onClick={() => setDraft(replyDraft(missing, reporter, t))}>
            {t('ask.button')}
          </Button>
        </Inline>
      ) : (
        <Stack space="space.100">
          <Label labelFor="ask-reporter">{t('ask.label')}</Label>
          <TextArea id="ask-reporter" name="ask-reporter" value={draft} onChange={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
          {serviceDesk ? (
            <Select
              inputId="ask-visibility"
              options={[
                { label: t('ask.kind.customerReply'), value: 'customer' },
                { label: t('ask.kind.internalNote'), value: 'internal' },
              ]}
              value={internal ? { label: t('ask.kind.internalNote'), value: 'internal' } : { label: t('ask.kind.customerReply'), value: 'customer' }}
              onChange={(choice: { value?: string } | null) => setInternal(choice?.value === 'internal')}
            />
          ) : (
            <Text>{t('ask.mentions', { name: reporter ?? t('ask.there') })}</Text>
          )}
          <Inline space="space.100">
            <Button appearance="primary" isDisabled={busy || !draft.trim()} onClick={() => void post()}>
              {busy ? t('ask.posting') : serviceDesk && !internal ? t('ask.sendReply') : serviceDesk ? t('ask.addNote') : t('ask.post')}
            </Button>
            <Button appearance="subtle" onClick={() => setDraft(undefined)}>
              {t('common.cancel')}
            </Button>
          </Inline>
        </Stack>
      )}
    </Stack>
  );
}
