/**
 * Setup, step 1: where AI Ops is (base URL and egress), which agent, its secret. A new secret is
 * tried against AI Ops before it replaces the one in use; while the old one is in its grace period
 * the admin can go back to it.
 */
import React, { useEffect, useState } from 'react';
import { Button, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { CheckStep } from '../../core/connection-test';
import type { Translate } from '../../core/i18n';
import { call } from '../call';
import { Feedback, type FeedbackMessage } from '../feedback';
import { SelectField, TextField } from '../fields';
import { useT, when } from '../i18n';
import { originApproved, type useEgress } from './use-egress';
import { useSettingsForm } from './use-settings-form';
import { originOf, type AdminView, type SectionProps, type Settings } from './types';

export function checkFeedback(steps: CheckStep[], t: Translate): FeedbackMessage {
  const ok = steps.every((step) => step.ok);
  return {
    appearance: ok ? 'success' : 'error',
    title: ok ? t('admin.connected') : steps.find((step) => !step.ok)!.title,
    lines: steps.map((step) => t(step.ok ? 'admin.stepPassed' : 'admin.stepFailed', { title: step.title, detail: step.detail })),
  };
}

export function ConnectionSection({ view, show, egress }: SectionProps & { egress: ReturnType<typeof useEgress> }) {
  const { t, locale } = useT();
  const { form, set, errors, feedback, setFeedback, saving, save } = useSettingsForm({ view, show });
  const [secret, setSecret] = useState('');
  const [refused, setRefused] = useState<{ title: string; detail: string }>();
  const [check, setCheck] = useState<FeedbackMessage>();
  const [egressFeedback, setEgressFeedback] = useState<FeedbackMessage>();
  const [busy, setBusy] = useState<string>();

  const runCheck = async () => {
    setCheck({ appearance: 'information', title: t('admin.checkingConnection'), lines: [], busy: true });
    try {
      const answer = await call<{ ok: boolean; steps: CheckStep[]; health?: AdminView['health'] }>('checkConnection');
      setCheck(checkFeedback(answer.steps, t));
      if (answer.health) show({ ...view, health: answer.health });
    } catch (e) {
      setCheck({ appearance: 'error', title: t('admin.checkFailed'), lines: [e instanceof Error ? e.message : String(e)] });
    }
  };

  const submit = async (saveAnyway = false) => {
    setRefused(undefined);
    setCheck(undefined);
    const answer = await save({ secret, ...(saveAnyway ? { saveAnyway: true } : {}) });
    if (!answer) return;
    if (answer.secretRefused) {
      setRefused(answer.secretRefused as { title: string; detail: string });
      return;
    }
    if (!answer.ok || !answer.view) return;
    setSecret('');
    const lines = [t('admin.saved')];
    if (answer.secretChange === 'rotating') lines.push(t('admin.secretRotating'));
    if (answer.secretChange === 'unchanged') lines.push(t('admin.secretUnchanged'));
    // The approval is read for the origin just saved: a new host needs its own.
    const savedOrigin = originOf(answer.view.settings?.aiopsBaseUrl) ?? '';
    const approved = savedOrigin === egress.origin ? await egress.read() : await originApproved(savedOrigin);
    if (!approved) lines.push(t('admin.egressPending', { origin: savedOrigin }));
    setFeedback({ appearance: approved ? 'success' : 'warning', title: t('common.saved'), lines });
    if (approved) await runCheck();
  };

  const act = async (which: string, work: () => Promise<{ view?: AdminView } | void>, done: string) => {
    setBusy(which);
    try {
      const answer = await work();
      if (answer && answer.view) show(answer.view);
      setFeedback({ appearance: 'success', title: done, lines: [] });
    } catch (e) {
      setFeedback({ appearance: 'error', title: t('common.notSaved'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  const approve = async () => {
    setBusy('egress');
    setEgressFeedback(undefined);
    try {
      await egress.approve(t('admin.egressDescription'));
    } catch (e) {
      setEgressFeedback({ appearance: 'warning', title: t('admin.egressNotApproved'), lines: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(undefined);
    }
  };

  // What the last save said about egress stops being true once Jira reports the host approved.
  useEffect(() => {
    if (egress.approved) setFeedback((current) => (current?.appearance === 'warning' && current.title === t('common.saved') ? { appearance: 'success', title: current.title, lines: current.lines.filter((line) => !egress.origin || !line.includes(egress.origin)) } : current));
  }, [egress.approved]);

  const secretInfo = view.settings?.secret;
  const savedOrigin = originOf(view.settings?.aiopsBaseUrl);
  const previous = view.settings?.previousSecret;
  return (
    <Stack space="space.200">
      <Heading size="medium">{t('admin.connectTitle')}</Heading>
      <TextField name="aiopsBaseUrl" label={t('admin.baseUrl')} value={form.aiopsBaseUrl} onChange={set('aiopsBaseUrl')} errors={errors} help={t('admin.baseUrlHelp')} />
      {savedOrigin ? (
        <Stack space="space.050">
          <Inline space="space.100" alignBlock="center">
            <Text>{t('admin.egressTo', { origin: savedOrigin })}</Text>
            {egress.approved === undefined ? (
              <Spinner size="small" label={t('admin.readingApproval')} />
            ) : (
              <Lozenge appearance={egress.approved ? 'success' : 'removed'}>{egress.approved ? t('admin.approved') : t('admin.notApproved')}</Lozenge>
            )}
            {egress.approved === false ? (
              <Button onClick={() => void approve()} isDisabled={busy !== undefined}>
                {busy === 'egress' ? t('admin.waitingApproval') : t('admin.approveEgress')}
              </Button>
            ) : null}
          </Inline>
          {egress.others.map((other) => (
            <Inline key={other.key} space="space.100" alignBlock="center">
              <Text>{t('admin.egressOther', { domains: other.domains.join(', ') })}</Text>
              <Button appearance="subtle" onClick={() => void egress.remove(other.key).catch(() => undefined)} isDisabled={busy !== undefined}>
                {t('admin.egressRemove')}
              </Button>
            </Inline>
          ))}
          <Feedback message={egressFeedback} />
        </Stack>
      ) : (
        <Text>{t('admin.saveUrlFirst')}</Text>
      )}
      <TextField name="agentId" label={t('project.agentId')} value={form.agentId} onChange={set('agentId')} errors={errors} help={t('admin.agentIdHelp')} />
      <TextField name="tenantId" label={t('project.tenantId')} value={form.tenantId} onChange={set('tenantId')} errors={errors} help={t('admin.tenantIdHelp')} />
      <TextField
        name="secret"
        label={t('project.secret')}
        type="password"
        value={secret}
        onChange={setSecret}
        errors={errors}
        placeholder={secretInfo ? t('admin.secretKeep') : t('admin.secretPaste')}
        help={
          secretInfo
            ? t(secretInfo.provenAt ? 'admin.secretConfiguredProven' : 'admin.secretConfigured', { fingerprint: secretInfo.fingerprint, when: when(secretInfo.setAt, locale) })
            : t('admin.secretHelp')
        }
      />
      {refused ? (
        <SectionMessage appearance="warning" title={t('admin.secretRefused.title')}>
          <Stack space="space.100">
            <Text>{refused.detail}</Text>
            <Text>{t('admin.secretRefused.text')}</Text>
            <Inline space="space.100">
              <Button
                onClick={() => {
                  setSecret('');
                  setRefused(undefined);
                }}
              >
                {t('admin.secretRefused.keep')}
              </Button>
              <Button appearance="warning" onClick={() => void submit(true)} isDisabled={saving}>
                {t('admin.secretRefused.saveAnyway')}
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      ) : null}
      {previous ? (
        <SectionMessage appearance="information" title={t('admin.switchingSecret')}>
          <Stack space="space.100">
            <Text>{t('admin.previousSecretText', { until: when(previous.until, locale), fingerprint: previous.fingerprint })}</Text>
            <Inline space="space.100">
              <Button onClick={() => void act('revert', () => call<{ view: AdminView }>('revertSecret'), t('admin.secretReverted'))} isDisabled={busy !== undefined}>
                {t('admin.revertSecret')}
              </Button>
              <Button appearance="subtle" onClick={() => void act('grace', () => call<{ view: AdminView }>('endSecretGrace'), t('admin.graceEnded'))} isDisabled={busy !== undefined}>
                {t('admin.endGrace')}
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      ) : null}
      <SelectField
        name="keyEncoding"
        label={t('admin.keyEncoding')}
        options={[
          { label: t('admin.keyBase64'), value: 'base64' },
          { label: t('admin.keyUtf8'), value: 'utf8' },
        ]}
        value={[form.keyEncoding]}
        onChange={(v) => set('keyEncoding')((v[0] ?? 'base64') as Settings['keyEncoding'])}
        errors={errors}
        help={t('admin.keyEncodingHelp')}
      />
      <Inline space="space.100">
        <Button appearance="primary" onClick={() => void submit()} isDisabled={saving || busy !== undefined}>
          {saving ? t('common.saving') : t('common.save')}
        </Button>
        <Button onClick={() => void runCheck()} isDisabled={saving || !view.settings}>
          {check?.busy ? t('admin.checking') : t('admin.checkConnection')}
        </Button>
      </Inline>
      <Feedback message={feedback} />
      <Feedback message={check} />
      <Text>{t('admin.checkExplain')}</Text>
    </Stack>
  );
}
