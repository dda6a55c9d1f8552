/**
 * The configuration form of the Automation action "Send to AI Ops Ticket Enhancer" (docs
 * "automation-action", Action configuration): every change is handed to Automation with
 * `view.submit`, so nothing is lost when the rule owner moves between steps; fields Automation
 * reported invalid are marked when the form opens.
 */
import React, { useEffect, useState } from 'react';
import ForgeReconciler, { Box, ErrorMessage, Heading, Label, Stack, Text, Textfield, Toggle, useProductContext } from '@forge/react';
import { view } from '@forge/bridge';

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

function problems(inputs: Inputs, reported: Record<string, { message: string }>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [field, { message }] of Object.entries(reported)) found[field] = message;
  if (!inputs.issueKey.trim()) found.issueKey ??= 'Issue is required: {{issue.key}} sends the rule\'s issue';
  if (inputs.agentId.trim() && !/^\{\{.*\}\}$/.test(inputs.agentId.trim()) && !UUID.test(inputs.agentId.trim())) found.agentId = 'Agent id must be a UUID such as 3f1c2a4e-8b7d-4c21-9e0f-5a6b7c8d9e0f, or empty';
  return found;
}

function ActionForm({ extension }: { extension: ActionExtension }) {
  const [inputs, setInputs] = useState<Inputs>({ ...DEFAULTS, ...(extension.data?.inputs ?? {}) });
  const [touched, setTouched] = useState(false);
  const errors = problems(inputs, touched ? {} : (extension.errors?.invalidInputs ?? {}));

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
      <Heading size="small">Send to AI Ops Ticket Enhancer</Heading>
      <Text>
        Sends the rule's issue to your AI Ops Ticket Enhancer, signed, exactly as a new issue is sent: the same payload, retries and result on the issue's panel, marked with this rule. Each run is one delivery to AI Ops and, in Forge usage, about three function invocations; the rule itself uses one rule run.
      </Text>
      <Box>
        <Label labelFor="issueKey">Issue</Label>
        <Textfield id="issueKey" name="issueKey" value={inputs.issueKey} onChange={(e) => change({ issueKey: String(e.target.value ?? '') })} />
        {errors.issueKey ? <ErrorMessage>{errors.issueKey}</ErrorMessage> : <Text>{'{{issue.key}} sends the issue the rule runs on; a key or another smart value works too.'}</Text>}
      </Box>
      <Box>
        <Label labelFor="agentId">Agent (optional)</Label>
        <Textfield id="agentId" name="agentId" placeholder="The agent set up for the project" value={inputs.agentId} onChange={(e) => change({ agentId: String(e.target.value ?? '') })} />
        {errors.agentId ? <ErrorMessage>{errors.agentId}</ErrorMessage> : <Text>Another AI Ops agent id for this rule, such as a triage agent; the project's connection is used otherwise.</Text>}
      </Box>
      <Box>
        <Toggle id="waitForResult" label="Wait for the result" isChecked={inputs.waitForResult} onChange={() => change({ waitForResult: !inputs.waitForResult })} />
        <Label labelFor="waitForResult">Wait for the result (up to about 45 seconds)</Label>
        <Text>When on, later steps can use the result as smart values: status, result and delivery id. When off, the rule goes on at once and the result arrives on the issue's panel.</Text>
      </Box>
    </Stack>
  );
}

function App() {
  const context = useProductContext();
  if (!context) return <Text>Loading…</Text>;
  return <ActionForm extension={(context.extension ?? {}) as ActionExtension} />;
}

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
