/**
 * The admin page and the project settings page: who may call what, validation, secrets that never
 * leave the backend, rotation, and the screens rendered by the real UI Kit reconciler.
 */
import { join } from 'node:path';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

const ADMIN = 'ticket-enhancer-admin';
const PROJECT = 'ticket-enhancer-project';
const USERS = ['admin', 'lead', 'agent', 'viewer'] as const;

let h: Harness;
let responses: string[];
let host: UiHost | undefined;

beforeEach(async () => {
  h = await new Harness().start();
  responses = [];
  h.sandbox.onResolverResponse = (json) => responses.push(json);
});

afterEach(async () => {
  host?.unmount();
  host = undefined;
  // Nothing that left the backend in this test carried a secret, in any form.
  const forbidden = [EMBEDDED_AGENT_SECRET, Buffer.from(EMBEDDED_AGENT_SECRET, 'base64').toString('hex'), NEW_SECRET, PROJECT_SECRET];
  for (const response of responses) for (const secret of forbidden) expect(response).not.toContain(secret);
  await h.stop();
});

const NEW_SECRET = Buffer.alloc(32, 0x5a).toString('base64');
const PROJECT_SECRET = Buffer.alloc(32, 0x33).toString('base64');

const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...(moduleKey === PROJECT ? { projectKey: 'DEMO' } : {}) });

async function adminSettings() {
  const loaded = (await invoke(ADMIN, 'load', 'admin')) as { body: any };
  const { secret: _s, previousSecret: _p, ...settings } = loaded.body.settings;
  return settings;
}

describe('who may call what', () => {
  const cases: Array<[string, string, unknown, readonly string[]]> = [
    [ADMIN, 'load', {}, ['admin']],
    [ADMIN, 'save', { settings: {} }, ['admin']],
    [ADMIN, 'endSecretGrace', {}, ['admin']],
    [ADMIN, 'checkConnection', {}, ['admin']],
    [ADMIN, 'sendTestIssue', {}, ['admin']],
    [PROJECT, 'load', {}, ['admin', 'lead']],
    [PROJECT, 'save', { settings: { enabled: true } }, ['admin', 'lead']],
    [PROJECT, 'redeliver', { issueId: 'x', deliveryId: 'y' }, ['admin', 'lead']],
  ];

  it.each(cases)('%s %s: allowed for %j only', async (moduleKey, functionKey, payload, allowed) => {
    for (const user of USERS) {
      const result = await invoke(moduleKey, functionKey, user, payload);
      if (allowed.includes(user)) {
        expect('error' in result ? result.error.status : 200).not.toBe(403);
      } else {
        expect(result).toEqual({ error: { status: 403, message: expect.stringContaining('permission') } });
      }
    }
  });

  it('gives agents and viewers nothing of the connection', async () => {
    for (const user of ['agent', 'viewer']) {
      for (const [moduleKey, functionKey] of [[ADMIN, 'load'], [PROJECT, 'load'], [ADMIN, 'checkConnection']]) {
        const text = JSON.stringify(await invoke(moduleKey, functionKey, user));
        for (const value of [EMBEDDED_AGENT_ID, 'sandbox-tenant', h.aiops.url]) expect(text).not.toContain(value);
      }
    }
  });

  it('scopes a project admin to the project Forge names, whatever the payload says', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    // lead administers DEMO but not SUP: the SUP page is refused, and DEMO's redeliver works.
    const sup = await h.sandbox.invokeResolver({ moduleKey: PROJECT, functionKey: 'load', accountId: 'lead', projectKey: 'SUP', payload: { projectId: '10000' } });
    expect(sup).toMatchObject({ error: { status: 403 } });
    const redelivered = await invoke(PROJECT, 'redeliver', 'lead', { issueId: run.issueId, deliveryId: run.deliveryId });
    expect(redelivered).toEqual({ body: { started: true, deliveryId: expect.stringMatching(/^dlv_\d+_redeliver-/) } });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(2);
    expect(JSON.parse(h.webhookRequests()[1].rawBody).issue_key).toBe(key);
  });
});

describe('validation', () => {
  it('names every bad field of the admin settings', async () => {
    const result = (await invoke(ADMIN, 'save', 'admin', {
      settings: { aiopsBaseUrl: 'http://aiops.example.com', agentId: 'not-a-uuid', tenantId: '', attemptLimit: 0, requestTimeoutSeconds: 'ten', resultMode: 'poll', statusUrlTemplate: '{base}/status' },
      secret: 'c2hvcnQ=',
    })) as { body: { ok: boolean; errors: Array<{ field: string; message: string }> } };
    expect(result.body.ok).toBe(false);
    const byField = Object.fromEntries([...result.body.errors].reverse().map((e) => [e.field, e.message]));
    expect(result.body.errors).toContainEqual({ field: 'statusUrlTemplate', message: 'Status URL template must use https' });
    expect(byField).toMatchObject({
      aiopsBaseUrl: 'AI Ops base URL must use https',
      agentId: expect.stringContaining('Agent id must be a UUID'),
      tenantId: 'Tenant id is required',
      attemptLimit: 'Attempt limit must be at least 1',
      requestTimeoutSeconds: 'Request timeout must be a number',
      statusUrlTemplate: 'Status URL template must contain {execution_id}',
      secret: 'HMAC secret gives 5 key bytes; at least 16 are required',
    });
  });

  it('refuses a secret that is not base64 when the encoding is base64, and accepts it as utf8', async () => {
    const settings = await adminSettings();
    const bad = (await invoke(ADMIN, 'save', 'admin', { settings, secret: 'not*valid*base64!' })) as { body: any };
    expect(bad.body.errors).toEqual([{ field: 'secret', message: 'HMAC secret is not base64: it contains "*", "!", which base64 never uses (choose the utf8 key encoding if your receiver uses the text itself as the key)' }]);
    // AI Ops refuses it (its agent has another secret): saved only because the admin says so.
    const ok = (await invoke(ADMIN, 'save', 'admin', { settings: { ...settings, keyEncoding: 'utf8' }, secret: 'not*valid*base64!', saveAnyway: true })) as { body: any };
    expect(ok.body.ok).toBe(true);
  });

  it('has Jira check the JQL condition before saving', async () => {
    const bad = (await invoke(PROJECT, 'save', 'lead', { settings: { enabled: true, jql: 'labels IN (customer' } })) as { body: any };
    expect(bad.body).toEqual({ ok: false, errors: [{ field: 'jql', message: expect.stringContaining('JQL condition is invalid') }] });
    const good = (await invoke(PROJECT, 'save', 'lead', { settings: { enabled: true, jql: 'labels = customer' } })) as { body: any };
    expect(good.body.ok).toBe(true);
    await h.createIssue({ labels: ['internal'] });
    await h.createIssue({ labels: ['customer'] });
    await h.settle();
    expect(h.webhookRequests().map((r) => JSON.parse(r.rawBody).labels)).toEqual([['customer']]);
  });
});

describe('secrets', () => {
  it('shows only a fingerprint, rotates a secret AI Ops accepted with a visible grace period, and ends it on request', async () => {
    const before = (await invoke(ADMIN, 'load', 'admin')) as { body: any };
    expect(before.body.settings.secret).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/), setAt: expect.any(String) });
    // A passing check proves the current secret.
    expect(((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body.ok).toBe(true);
    const settings = await adminSettings();
    // AI Ops was given the new secret first ("Regenerate webhook secret"); the save proves it at once.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: NEW_SECRET });
    const saved = (await invoke(ADMIN, 'save', 'admin', { settings, secret: NEW_SECRET })) as { body: any };
    expect(saved.body).toMatchObject({ ok: true, secretChange: 'rotating' });
    expect(saved.body.view.settings.previousSecret).toMatchObject({ fingerprint: before.body.settings.secret.fingerprint, until: expect.any(String) });
    expect(saved.body.view.settings.secret.provenAt).toEqual(expect.any(String));

    // While the grace lasts, both secrets sign webhook-signature; AI Ops now needs the new one.
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests().filter((r) => r.rawBody.startsWith('{'))[0].status).toBe(202);
    const delivery = h.webhookRequests().find((r) => r.rawBody.startsWith('{'))!;
    expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(2);

    const ended = (await invoke(ADMIN, 'endSecretGrace', 'admin')) as { body: any };
    expect(ended.body.view.settings.previousSecret).toBeUndefined();
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests().at(-1)!.headers['webhook-signature'].split(' ')).toHaveLength(1);
  });

  it('changes nothing for the same secret, and replaces a secret that never worked without a grace period', async () => {
    const settings = await adminSettings();
    const same = (await invoke(ADMIN, 'save', 'admin', { settings, secret: EMBEDDED_AGENT_SECRET })) as { body: any };
    expect(same.body).toMatchObject({ ok: true, secretChange: 'unchanged' });
    expect(same.body.view.settings.previousSecret).toBeUndefined();
    // The seeded secret was never accepted by AI Ops (no check, no delivery): a correction replaces it at once.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: NEW_SECRET });
    const corrected = (await invoke(ADMIN, 'save', 'admin', { settings, secret: NEW_SECRET })) as { body: any };
    expect(corrected.body).toMatchObject({ ok: true, secretChange: 'replaced' });
    expect(corrected.body.view.settings.previousSecret).toBeUndefined();
    expect(h.sandbox.kvs.peekSecret('secret:global:current')).toBe(NEW_SECRET);
  });

  it('tries a new secret before it replaces the one in use: one AI Ops refuses is kept out unless the admin saves it anyway', async () => {
    const settings = await adminSettings();
    const refused = (await invoke(ADMIN, 'save', 'admin', { settings, secret: NEW_SECRET })) as { body: any };
    expect(refused.body).toMatchObject({ ok: false, secretRefused: { title: 'Secret does not match', detail: expect.stringContaining('401') } });
    expect(h.sandbox.kvs.peekSecret('secret:global:current')).toBe(EMBEDDED_AGENT_SECRET);
    const anyway = (await invoke(ADMIN, 'save', 'admin', { settings, secret: NEW_SECRET, saveAnyway: true })) as { body: any };
    expect(anyway.body.ok).toBe(true);
    expect(h.sandbox.kvs.peekSecret('secret:global:current')).toBe(NEW_SECRET);
  });

  it('goes back to the previous secret while it is in its grace period', async () => {
    expect(((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body.ok).toBe(true);
    const settings = await adminSettings();
    const before = h.sandbox.kvs.peek('settings:global') as { secret: { fingerprint: string } };
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: NEW_SECRET });
    await invoke(ADMIN, 'save', 'admin', { settings, secret: NEW_SECRET });
    const reverted = (await invoke(ADMIN, 'revertSecret', 'admin')) as { body: any };
    expect(reverted.body.view.settings).toMatchObject({ secret: { fingerprint: before.secret.fingerprint } });
    expect(reverted.body.view.settings.previousSecret).toBeUndefined();
    expect(h.sandbox.kvs.peekSecret('secret:global:current')).toBe(EMBEDDED_AGENT_SECRET);
    expect(await invoke(ADMIN, 'revertSecret', 'admin')).toMatchObject({ error: { status: 409 } });
  });

  it('lets a project use its own secret', async () => {
    const saved = (await invoke(PROJECT, 'save', 'lead', { settings: { enabled: true }, secret: PROJECT_SECRET })) as { body: any };
    expect(saved.body.view.settings.secret.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()[0].status).toBe(401);
  });

  it('checks health, agent and secret without sending a ticket, and says which is wrong', async () => {
    const good = (await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any };
    expect(good.body).toMatchObject({
      ok: true,
      health: { configured: true, provenAt: expect.any(String), failedLastDay: 0 },
      steps: [
        { step: 'health', kind: 'healthOk', ok: true, title: 'AI Ops answers', detail: expect.stringContaining('answered 200') },
        { step: 'agent', kind: 'match', ok: true, title: 'Agent and secret match', detail: expect.stringContaining('No ticket was sent') },
      ],
    });
    // The proof is a signed body that is not JSON: AI Ops refused it with 400 and queued nothing.
    expect(h.webhookRequests().map((r) => r.status)).toEqual([400]);
    expect(h.aiops.executions.size).toBe(0);
    expect(JSON.stringify(good)).not.toContain(EMBEDDED_AGENT_SECRET);

    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: NEW_SECRET });
    const wrong = (await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any };
    expect(wrong.body).toMatchObject({ ok: false, steps: [{ ok: true }, { ok: false, title: 'Secret does not match', detail: expect.stringContaining('Invalid HMAC signature') }] });
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, status: 'INACTIVE' });
    expect(((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body.steps[1]).toMatchObject({ title: 'Agent not active' });
    await h.updateSettings('settings:global', { agentId: '00000000-0000-4000-8000-000000000000' });
    expect(((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body.steps[1]).toMatchObject({ title: 'Agent not found' });
    h.sandbox.runtime.revokeAllEgress();
    const refused = (await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any };
    expect(refused.body.steps.map((step: { title: string }) => step.title)).toEqual(['Egress not approved', 'Egress not approved']);
    expect(h.aiops.executions.size).toBe(0);
  });

  it('sends a real test issue through the whole path and reports the AI Ops comment', async () => {
    const { key } = await h.createIssue({ summary: 'Printer on fire' });
    await h.settle();
    const started = (await invoke(ADMIN, 'sendTestIssue', 'admin', { issueKey: key })) as { body: any };
    expect(started.body).toMatchObject({ started: true, deliveryId: expect.stringMatching(/_test-/), resultMode: 'comment' });
    await h.settle();
    const status = (await invoke(ADMIN, 'testStatus', 'admin', { deliveryId: started.body.deliveryId })) as { body: any };
    expect(status.body).toMatchObject({ done: true, ok: true, title: 'Result received', detail: expect.stringContaining(`AI Ops Bot commented on ${key}`) });
    expect(((await invoke(ADMIN, 'sendTestIssue', 'admin', { issueKey: 'NOPE-1' })) as { body: any }).body).toEqual({ started: false, reason: 'There is no issue NOPE-1 that you can see.' });
    expect(((await invoke(ADMIN, 'sendTestIssue', 'admin', { issueKey: 'not a key' })) as { body: any }).body.started).toBe(false);
  });

  it('suggests the account that commented when none is set', async () => {
    const settings = await adminSettings();
    delete settings.resultAccount;
    await h.updateSettings('settings:global', { resultAccount: undefined });
    const { key } = await h.createIssue();
    await h.settle();
    const started = (await invoke(ADMIN, 'sendTestIssue', 'admin', { issueKey: key })) as { body: any };
    await h.settle();
    const status = (await invoke(ADMIN, 'testStatus', 'admin', { deliveryId: started.body.deliveryId })) as { body: any };
    expect(status.body).toMatchObject({
      done: true,
      ok: false,
      title: 'No AI Ops Jira account is set',
      suggestedAccount: { accountId: '712020:5e1f-aiops-bot', displayName: 'AI Ops Bot' },
    });
  });
});

describe('the screens', () => {
  const open = (resource: string, moduleKey: string, user: string, projectKey?: string) => {
    host = new UiHost(h.sandbox, { moduleKey, user, projectKey }).mount(join(__dirname, '..', 'src', 'ui', resource));
    return host;
  };
  const field = (ui: UiHost, name: string) => ui.all((n) => (n.type === 'Textfield' || n.type === 'TextArea') && n.props.name === name)[0];

  it('admin page: loads, shows validation errors, saves', async () => {
    const ui = open('admin.tsx', ADMIN, 'admin');
    await ui.waitForText('Connect to AI Ops');
    await ui.waitForText('Approved');
    expect(ui.text()).toMatch(/Configured \(fingerprint [0-9a-f]{8}/);
    expect(ui.text()).toContain('Results are comments by AI Ops Bot.');
    expect(field(ui, 'secret').props.value).toBe('');
    field(ui, 'agentId').props.onChange({ target: { value: 'nope' } });
    await ui.waitFor(() => field(ui, 'agentId').props.value === 'nope', 'the typed value');
    await ui.click('Save');
    await ui.waitForText('Agent id must be a UUID');
    field(ui, 'agentId').props.onChange({ target: { value: EMBEDDED_AGENT_ID } });
    await ui.waitFor(() => field(ui, 'agentId').props.value === EMBEDDED_AGENT_ID, 'the corrected value');
    await ui.click('Save');
    await ui.waitForText('The settings are saved.');
    // A check runs after a save, and answers next to the Save button.
    await ui.waitForText('Agent and secret match');
  });

  it('both pages show that a save is under way and block a second one', async () => {
    for (const [resource, moduleKey, user, projectKey] of [['admin.tsx', ADMIN, 'admin', undefined], ['project-settings.tsx', PROJECT, 'lead', 'DEMO']] as const) {
      const ui = open(resource, moduleKey, user, projectKey);
      await ui.waitFor(() => ui.button('Save') !== undefined, 'the Save button');
      let release!: () => void;
      ui.gate = new Promise((resolve) => (release = resolve));
      const saving = ui.click('Save');
      await ui.waitFor(() => ui.button('Saving…') !== undefined, 'the saving state');
      expect(ui.button('Saving…')!.props.isDisabled).toBe(true);
      release();
      await saving;
      await ui.waitFor(() => ui.button('Save') !== undefined, 'the form again');
      ui.unmount();
    }
  });

  it('admin page: asks for egress consent and shows the approval', async () => {
    h.sandbox.runtime.revokeAllEgress();
    const ui = open('admin.tsx', ADMIN, 'admin');
    await ui.waitForText('Not approved');
    await ui.click('Approve egress');
    await ui.waitForText('Approved');
    expect(ui.egressRequests).toEqual([{ egresses: [expect.objectContaining({ configured: [{ domain: new URL(h.aiops.url).origin, type: ['FETCH_BACKEND_SIDE'] }] })] }]);
  });

  it('admin page: forbidden for a lead', async () => {
    const ui = open('admin.tsx', ADMIN, 'lead');
    await ui.waitForText('Only Jira admins can open this page');
    expect(ui.byType('Textfield')).toHaveLength(0);
  });

  it('project page: a lead loads and saves; a viewer is refused', async () => {
    const ui = open('project-settings.tsx', PROJECT, 'lead', 'DEMO');
    await ui.waitForText('Which issues');
    const select = ui.all((n) => n.type === 'Select' && String(n.props.inputId).endsWith('-issueTypeIds'))[0];
    expect(select.props.options.map((o: { label: string }) => o.label)).toEqual(['Bug', 'Task', 'Story']);
    select.props.onChange([{ label: 'Bug', value: '10004' }]);
    await ui.waitFor(() => ui.all((n) => n.type === 'Select' && String(n.props.inputId).endsWith('-issueTypeIds'))[0].props.value.length === 1, 'the choice');
    await ui.click('Save');
    await ui.waitForText('The project settings are saved.');
    expect(h.sandbox.kvs.peek('settings:project:10000')).toMatchObject({ enabled: true, issueTypeIds: ['10004'], projectKey: 'DEMO' });
    ui.unmount();
    const refused = open('project-settings.tsx', PROJECT, 'viewer', 'DEMO');
    await refused.waitForText('Only administrators of this project can open this page');
  });
});
