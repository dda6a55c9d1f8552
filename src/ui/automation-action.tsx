/**
 * The configuration form of the Automation action "Send to AI Ops Ticket Enhancer" (docs
 * "automation-action", Action configuration): every change is handed to Automation with
 * `view.submit`, so nothing is lost when the rule owner moves between steps; fields Automation
 * reported invalid are marked when the form opens.
 */
import React, { useEffect, useState } from 'react';
import { Box, ErrorMessage, Heading, Label, Stack, Text, Textfield, Toggle, useProductContext } from '@forge/react';
import { view } from '@forge/bridge';
import type { Translate } from '../core/i18n';
import { renderScreen, useT } from './i18n';

interface Inputs {
  issueKey: string;
  agentId: string;
  waitForResult: boolean;
  ruleName: string;
}

const DEFAULTS: Inputs = { issueKey: '{{issue.key}}', agentId: '', waitForResult: false, ruleName: '{{rule.name}}' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ActionExtension {
  data?: { inputs?: Partial<Inputs> };
  errors?: { invalidInputs?: Record<string, { message: string }> };
}

function problems(inputs: Inputs, reported: Record<string, { message: string }>, t: Translate): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [field, { message }] of Object.entries(reported)) found[field] = message;
  if (!inputs.issueKey.trim()) found.issueKey ??= t('action.issueRequired');
  if (inputs.agentId.trim() && !/^\{\{.*\}\}$/.test(inputs.agentId.trim()) && !UUID.test(inputs.agentId.trim())) found.agentId = t('action.agentInvalid');
  return found;
}

function ActionForm({ extension }: { extension: ActionExtension }) {
  const { t } = useT();
  const [inputs, setInputs] = useState<Inputs>({ ...DEFAULTS, ...(extension.data?.inputs ?? {}) });
  const [touched, setTouched] = useState(false);
  const errors = problems(inputs, touched ? {} : (extension.errors?.invalidInputs ?? {}), t);

  useEffect(() => {
    // A new action starts with its defaults handed over, so "Next" can save it as it is.
    if (!extension.data?.inputs) void view.submit(DEFAULTS);
  }, [extension.data?.inputs]);

  const change = (patch: Partial<Inputs>) => {
    const next = { ...inputs, ...patch };
    setInputs(next);
    setTouched(true);
    void view.submit(next);
  };

  return (
    <Stack space="space.200">
      <Heading size="small">{t('action.title')}</Heading>
      <Text>{t('action.explain')}</Text>
      <Box>
        <Label labelFor="issueKey">{t('action.issue')}</Label>
        <Textfield id="issueKey" name="issueKey" value={inputs.issueKey} onChange={(e) => change({ issueKey: String(e.target.value ?? '') })} />
        {errors.issueKey ? <ErrorMessage>{errors.issueKey}</ErrorMessage> : <Text>{t('action.issueHelp')}</Text>}
      </Box>
      <Box>
        <Label labelFor="agentId">{t('action.agent')}</Label>
        <Textfield id="agentId" name="agentId" placeholder={t('action.agentPlaceholder')} value={inputs.agentId} onChange={(e) => change({ agentId: String(e.target.value ?? '') })} />
        {errors.agentId ? <ErrorMessage>{errors.agentId}</ErrorMessage> : <Text>{t('action.agentHelp')}</Text>}
      </Box>
      <Box>
        <Toggle id="waitForResult" label={t('action.wait')} isChecked={inputs.waitForResult} onChange={() => change({ waitForResult: !inputs.waitForResult })} />
        <Label labelFor="waitForResult">{t('action.waitLabel')}</Label>
        <Text>{t('action.waitHelp')}</Text>
      </Box>
    </Stack>
  );
}

function App() {
  const { t } = useT();
  const context = useProductContext();
  if (!context) return <Text>{t('common.loadingMore')}</Text>;
  return <ActionForm extension={(context.extension ?? {}) as ActionExtension} />;
}

renderScreen(App);
