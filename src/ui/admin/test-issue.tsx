/**
 * "Send test issue": the whole path, end to end, with a real issue. By default a clearly named test
 * issue is created in an enabled project; an existing issue can be used instead, after a warning
 * that AI Ops will post a real comment on it. An account that commented is suggested only with
 * what Jira says of it, and only after the admin confirms it by name.
 */
import React, { useState } from 'react';
import { Button, Inline, SectionMessage, Stack, Text } from '@forge/react';
import { call } from '../call';
import { Feedback, type FeedbackMessage } from '../feedback';
import { SelectField, TextField } from '../fields';
import { useT, when } from '../i18n';
import { ConfirmMessage } from '../confirm-message';
import type { AdminView, Settings } from './types';

interface SuggestedAccount {
  accountId: string;
  displayName?: string;
  accountType?: string;
  emailAddress?: string;
}

interface TestStatus {
  done: boolean;
  ok?: boolean;
  title: string;
  detail: string;
  /** When the result arrived, for the reader's clock. */
  at?: string;
  suggestedAccount?: SuggestedAccount;
  suggestedAs?: string;
}

export function TestIssue({ view, onAccount }: { view: AdminView; onAccount: (account: Settings['resultAccount']) => void }) {
  const { t, locale } = useT();
  const enabled = view.projects.filter((p) => p.enabled);
  const [mode, setMode] = useState<'create' | 'existing'>('create');
  const [projectId, setProjectId] = useState<string | undefined>(enabled[0]?.projectId);
  const [issueKey, setIssueKey] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [feedback, setFeedback] = useState<FeedbackMessage>();
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<{ account: SuggestedAccount; described: string }>();

  const send = async () => {
    setConfirming(false);
    setBusy(true);
    setFeedback({ appearance: 'information', title: t('admin.testSending'), lines: [], busy: true });
    try {
      const started = await call<{ started: boolean; reason?: string; deliveryId?: string; issueKey?: string }>('sendTestIssue', mode === 'create' ? { createIn: projectId } : { issueKey });
      if (!started.started || !started.deliveryId) {
        setFeedback({ appearance: 'error', title: t('status.notSent'), lines: [started.reason ?? t('panel.noReason')] });
        return;
      }
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const status = await call<TestStatus>('testStatus', { deliveryId: started.deliveryId });
        const lines = [status.detail, ...(status.at ? [t('admin.testAt', { when: when(status.at, locale) })] : [])];
        setFeedback({
          appearance: status.done ? (status.ok ? 'success' : 'warning') : 'information',
          title: status.title,
          lines,
          busy: !status.done,
          action: status.suggestedAccount
            ? {
                label: t('admin.useAccount', { name: status.suggestedAccount.displayName ?? status.suggestedAccount.accountId }),
                run: () => setPending({ account: status.suggestedAccount!, described: status.suggestedAs ?? status.suggestedAccount!.displayName ?? status.suggestedAccount!.accountId }),
              }
            : undefined,
        });
        if (status.done) break;
      }
    } catch (e) {
      setFeedback({ appearance: 'error', title: t('admin.testStopped'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(false);
    }
  };

  const ready = mode === 'create' ? projectId !== undefined : issueKey.trim().length > 0;
  return (
    <Stack space="space.150">
      <SelectField
        name="testMode"
        label={t('admin.testWith')}
        options={[
          { label: t('admin.testCreate'), value: 'create' },
          { label: t('admin.testExisting'), value: 'existing' },
        ]}
        value={[mode]}
        onChange={(v) => setMode((v[0] as 'create' | 'existing') ?? 'create')}
        errors={[]}
      />
      {mode === 'create' ? (
        enabled.length > 0 ? (
          <SelectField name="testProject" label={t('admin.testProject')} options={enabled.map((p) => ({ label: p.projectName ? `${p.projectKey} · ${p.projectName}` : p.projectKey, value: p.projectId }))} value={projectId ? [projectId] : []} onChange={(v) => setProjectId(v[0])} errors={[]} help={t('admin.testCreateHelp')} />
        ) : (
          <Text>{t('admin.testNoProject')}</Text>
        )
      ) : (
        <TextField name="testIssue" label={t('admin.testIssueKey')} value={issueKey} onChange={setIssueKey} errors={[]} placeholder={t('admin.testIssuePlaceholder')} />
      )}
      {confirming ? (
        <ConfirmMessage
          appearance="warning"
          title={t('admin.testExistingWarn.title', { key: issueKey.trim().toUpperCase() })}
          text={t('admin.testExistingWarn.text')}
          confirmLabel={t('admin.testExistingWarn.send', { key: issueKey.trim().toUpperCase() })}
          onConfirm={() => void send()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
      <Inline>
        <Button onClick={() => (mode === 'existing' ? setConfirming(true) : void send())} isDisabled={busy || !ready || !view.settings}>
          {busy ? t('admin.testing') : t('admin.sendTest')}
        </Button>
      </Inline>
      <Feedback message={feedback} />
      {pending ? (
        <SectionMessage appearance="warning" title={t('admin.confirmAccount.title', { account: pending.described })}>
          <Stack space="space.100">
            <Text>{t('admin.confirmAccount.text')}</Text>
            <Inline space="space.100">
              <Button
                appearance="warning"
                onClick={() => {
                  onAccount({ accountId: pending.account.accountId, displayName: pending.account.displayName });
                  setPending(undefined);
                }}
              >
                {t('admin.confirmAccount.yes', { name: pending.account.displayName ?? pending.account.accountId })}
              </Button>
              <Button appearance="subtle" onClick={() => setPending(undefined)}>
                {t('common.cancel')}
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      ) : null}
      <Text>{t('admin.sendTestExplain')}</Text>
    </Stack>
  );
}
