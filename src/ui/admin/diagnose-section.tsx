/**
 * Maintenance: Diagnose, the first-deploy self-check. A summary line first ("5 passed, 1 skipped"),
 * each check in plain words, and what the platform said behind "Show details".
 */
import React, { useState } from 'react';
import { Box, Button, DynamicTable, Heading, Inline, Lozenge, Stack, Text, Textfield } from '@forge/react';
import { call } from '../call';
import { useT } from '../i18n';
import type { useEgress } from './use-egress';

export interface DiagnoseStep {
  key: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The finding in plain words. */
  plain?: string;
  /** What the platform said, for whoever has to dig. */
  detail: string;
}

export function DiagnoseSection({ egress }: { egress: ReturnType<typeof useEgress> }) {
  const { t } = useT();
  const [issueKey, setIssueKey] = useState('');
  const [steps, setSteps] = useState<DiagnoseStep[]>();
  const [busy, setBusy] = useState(false);
  const [details, setDetails] = useState(false);

  const run = async () => {
    setBusy(true);
    setSteps(undefined);
    try {
      const answer = await call<{ steps: DiagnoseStep[] }>('diagnose', { issueKey });
      const request = answer.steps.find((step) => step.key === 'egress-request');
      const host = egress.origin ?? t('admin.aiopsHost');
      const through = request?.status === 'passed';
      // What only the browser can see: whether Jira reports the host as approved, beside whether a request went through.
      const browser: DiagnoseStep = {
        key: 'egress-state',
        title: t('admin.diagnoseEgressTitle'),
        status: !egress.origin ? 'skipped' : egress.approved === through ? 'passed' : 'failed',
        detail: t(`admin.diagnoseEgress.${egress.approved ? 'approved' : 'notApproved'}.${through ? 'through' : 'blocked'}`, { host }),
      };
      setSteps([browser, ...answer.steps]);
    } catch (e) {
      setSteps([{ key: 'error', title: t('admin.diagnoseFailed'), status: 'failed', detail: e instanceof Error ? e.message : String(e) }]);
    } finally {
      setBusy(false);
    }
  };

  const count = (status: DiagnoseStep['status']) => steps?.filter((step) => step.status === status).length ?? 0;
  return (
    <Stack space="space.150">
      <Heading size="medium">{t('admin.diagnoseTitle')}</Heading>
      <Text>{t('admin.diagnoseExplain')}</Text>
      <Inline space="space.100" alignBlock="end">
        <Box>
          <Textfield name="diagnoseIssue" width="medium" placeholder={t('admin.diagnosePlaceholder')} value={issueKey} onChange={(e) => setIssueKey(String(e.target.value ?? ''))} />
        </Box>
        <Button onClick={() => void run()} isDisabled={busy}>
          {busy ? t('admin.diagnosing') : t('admin.diagnose')}
        </Button>
      </Inline>
      {steps ? (
        <Stack space="space.100">
          <Text>{t('admin.diagnoseSummary', { passed: count('passed'), failed: count('failed'), skipped: count('skipped') })}</Text>
          <DynamicTable
            head={{ cells: [{ key: 'check', content: t('admin.check') }, { key: 'result', content: t('admin.result') }, { key: 'finding', content: t('admin.finding') }] }}
            rows={steps.map((step) => ({
              key: step.key,
              cells: [
                { key: 'check', content: step.title },
                { key: 'result', content: <Lozenge appearance={step.status === 'passed' ? 'success' : step.status === 'failed' ? 'removed' : 'default'}>{t(`admin.step.${step.status}`)}</Lozenge> },
                { key: 'finding', content: details || !step.plain ? step.detail : step.plain },
              ],
            }))}
          />
          <Inline>
            <Button appearance="subtle" onClick={() => setDetails(!details)}>
              {details ? t('admin.hideDetails') : t('admin.showDetails')}
            </Button>
          </Inline>
        </Stack>
      ) : null}
    </Stack>
  );
}
