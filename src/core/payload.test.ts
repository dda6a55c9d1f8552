import Ajv from 'ajv';
import { adfToPlainText } from './adf-text';
import { buildPayload, DESCRIPTION_LIMIT, TRUNCATION_MARKER, type JiraIssue } from './payload';
import { CONNECTION_DEFAULTS } from './setting-defaults';
import type { EffectiveSettings } from './settings';

const settings: EffectiveSettings = {
  aiopsBaseUrl: 'https://aiops.example.com',
  agentId: '7d3f9a2e-4b1c-4e8d-9f6a-2c5b8e1d0a3f',
  tenantId: 't1',
  ...CONNECTION_DEFAULTS,
  secretScope: { kind: 'global' },
  settingsVersion: 1,
};

const doc = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const t = (text: string, marks?: unknown[]) => ({ type: 'text', text, ...(marks ? { marks } : {}) });

describe('ADF description to plain text', () => {
  it('renders headings, lists, code, mentions, links, emoji and tables readably', () => {
    const adf = doc(
      { type: 'heading', attrs: { level: 2 }, content: [t('Steps')] },
      { type: 'orderedList', content: [{ type: 'listItem', content: [p(t('Open the cart'))] }, { type: 'listItem', content: [p(t('Press '), t('Pay', [{ type: 'strong' }]))] }] },
      p({ type: 'mention', attrs: { id: 'abc', text: '@Lee Lead' } }, t(' see '), t('logs', [{ type: 'link', attrs: { href: 'https://logs.example.com' } }]), t(' '), { type: 'emoji', attrs: { shortName: ':fire:', text: '🔥' } }),
      { type: 'codeBlock', attrs: { language: 'js' }, content: [t('throw new Error("x")')] },
      { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableHeader', content: [p(t('Browser'))] }, { type: 'tableHeader', content: [p(t('Result'))] }] }, { type: 'tableRow', content: [{ type: 'tableCell', content: [p(t('Firefox'))] }, { type: 'tableCell', content: [p(t('fails'))] }] }] },
      { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('outer')), { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('inner'))] }] }] }] },
      { type: 'someFutureNode', content: [p(t('kept text'))] },
    );
    expect(adfToPlainText(adf)).toBe(
      [
        'Steps',
        '1. Open the cart\n2. Press Pay',
        '@Lee Lead see logs (https://logs.example.com) 🔥',
        '```js\nthrow new Error("x")\n```',
        'Browser | Result\nFirefox | fails',
        '- outer\n  - inner',
        'kept text',
      ].join('\n\n'),
    );
  });

  it('gives an empty string for a missing or malformed description', () => {
    expect(adfToPlainText(null)).toBe('');
    expect(adfToPlainText({ content: 'nonsense' })).toBe('');
    expect(adfToPlainText(doc())).toBe('');
  });
});

const issue = (fields: Partial<JiraIssue['fields']> = {}): JiraIssue => ({
  id: '10001',
  key: 'DEMO-1',
  fields: {
    summary: 'Checkout crashes',
    description: doc(p(t('It crashes.'))),
    priority: { id: '2', name: 'High' },
    issuetype: { id: '10004', name: 'Bug' },
    status: { name: 'To Do' },
    reporter: { displayName: 'Lee Lead', emailAddress: 'lee@example.com' },
    created: '2026-11-28T10:15:00.000+0000',
    labels: ['checkout'],
    components: [{ name: 'Web' }],
    project: { id: '10000', key: 'DEMO', projectTypeKey: 'software' },
    ...fields,
  },
});

const ctx = { event: 'created' as const, deliveryId: 'dlv_10001_created', nowMs: Date.parse('2026-11-28T10:15:01.000Z'), callbackUrl: 'https://cb.example/x', siteUrl: 'https://site.atlassian.net' };

describe('the AI Ops payload', () => {
  it('has the Automation fields with a plain-text description, plus the result-path extras', () => {
    const payload = buildPayload(issue(), settings, ctx);
    expect(payload).toEqual({
      issue_key: 'DEMO-1',
      event_type: 'jira:issue_created',
      timestamp: '2026-11-28T10:15:01.000Z',
      issue: {
        key: 'DEMO-1',
        fields: {
          summary: 'Checkout crashes',
          description: 'It crashes.',
          priority: { name: 'High', id: '2' },
          issuetype: { name: 'Bug', id: '10004' },
          status: { name: 'To Do' },
          reporter: { displayName: 'Lee Lead' },
          created: '2026-11-28T10:15:00.000+0000',
        },
      },
      tenant_id: 't1',
      delivery_id: 'dlv_10001_created',
      callback_url: 'https://cb.example/x',
      site_url: 'https://site.atlassian.net',
      agent_id: settings.agentId,
      project_key: 'DEMO',
      labels: ['checkout'],
      components: ['Web'],
    });
  });

  it('sends only the Automation fields in strict mode and the e-mail only when allowed', () => {
    const payload = buildPayload(issue(), { ...settings, strictPayload: true, sendReporterEmail: true }, ctx);
    expect(Object.keys(payload).sort()).toEqual(['event_type', 'issue', 'issue_key', 'tenant_id', 'timestamp']);
    expect((payload.issue as { fields: { reporter: unknown } }).fields.reporter).toEqual({ displayName: 'Lee Lead', emailAddress: 'lee@example.com' });
  });

  it('sends the callback URL in every result mode unless strict', () => {
    for (const resultMode of ['comment', 'callback', 'poll'] as const) expect(buildPayload(issue(), { ...settings, resultMode }, ctx).callback_url).toBe('https://cb.example/x');
    expect(buildPayload(issue(), { ...settings, strictPayload: true }, ctx).callback_url).toBeUndefined();
  });

  it('leaves out missing priority, reporter and description instead of failing', () => {
    const payload = buildPayload(issue({ priority: null, reporter: null, description: null }), settings, ctx);
    const fields = (payload.issue as { fields: Record<string, unknown> }).fields;
    expect(fields.priority).toBeUndefined();
    expect(fields.reporter).toBeUndefined();
    expect(fields.description).toBe('');
  });

  it('marks Jira Service Management requests as the Automation rule did', () => {
    const payload = buildPayload(
      issue({ project: { id: '10010', key: 'SUP', projectTypeKey: 'service_desk' }, customfield_10010: { requestType: { id: '1', name: 'Get IT help' } } }),
      settings,
      ctx,
    );
    expect(payload.event_type).toBe('jsm:work_item_created');
    expect(payload.request_type).toBe('Get IT help');
    const fields = (payload.issue as { fields: Record<string, unknown> }).fields;
    expect(fields.request_type).toEqual({ id: '1', name: 'Get IT help' });
    expect(fields.issuetype).toBeUndefined();
  });

  it('caps a 1 MB description and says so', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const payload = buildPayload(issue({ description: doc(p(t(huge))) }), settings, ctx);
    const description = (payload.issue as { fields: { description: string } }).fields.description;
    expect(description.length).toBeLessThan(DESCRIPTION_LIMIT + 200);
    expect(description).toContain(TRUNCATION_MARKER);
    expect(description).toContain(`${DESCRIPTION_LIMIT} of ${huge.length} characters sent`);
  });
});

/**
 * The Draft 7 schema an agent author writes from the Jira Automation "Send web request" body: every
 * key required, every leaf a string, nothing else allowed.
 */
const object = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false });
const str = { type: 'string' };
const AUTOMATION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...object({
    issue_key: str,
    event_type: str,
    timestamp: str,
    issue: object({
      key: str,
      fields: object({
        summary: str,
        description: str,
        priority: object({ name: str, id: str }),
        issuetype: object({ name: str, id: str }),
        status: object({ name: str }),
        reporter: object({ displayName: str, emailAddress: str }),
        created: str,
      }),
    }),
    tenant_id: str,
  }),
};

describe('strict payload: exactly the Automation body', () => {
  const validate = new Ajv({ strict: true }).compile(AUTOMATION_SCHEMA);
  const strict = { ...settings, strictPayload: true };
  const fieldsOf = (payload: Record<string, unknown>) => (payload.issue as { fields: Record<string, any> }).fields;

  it.each([
    ['a full issue', issue(), strict],
    ['no priority', issue({ priority: null }), strict],
    ['no reporter', issue({ reporter: null }), strict],
    ['an e-mail hidden by the profile', issue({ reporter: { displayName: 'Lee Lead' } }), { ...strict, sendReporterEmail: true }],
    ['personal fields left out by the privacy setting', issue(), { ...strict, sendReporterName: false, sendReporterEmail: false }],
    ['a JSM request', issue({ project: { id: '10010', key: 'SUP', projectTypeKey: 'service_desk' }, customfield_10010: { requestType: { id: '1', name: 'Get IT help' } } }), strict],
    ['no description', issue({ description: null }), strict],
  ] as const)('validates for %s', (_name, input, config) => {
    const payload = buildPayload(input, config, ctx);
    expect(validate(payload)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('renders what Jira lacks as empty strings, as Automation does', () => {
    const fields = fieldsOf(buildPayload(issue({ priority: null, reporter: null }), strict, ctx));
    expect(fields.priority).toEqual({ name: '', id: '' });
    expect(fields.reporter).toEqual({ displayName: '', emailAddress: '' });
    const hidden = fieldsOf(buildPayload(issue({ reporter: { displayName: 'Lee Lead' } }), { ...strict, sendReporterEmail: true }, ctx));
    expect(hidden.reporter).toEqual({ displayName: 'Lee Lead', emailAddress: '' });
    const private_ = fieldsOf(buildPayload(issue(), { ...strict, sendReporterName: false }, ctx));
    expect(private_.reporter).toEqual({ displayName: '', emailAddress: '' });
  });

  it('keeps a JSM request to the Automation keys, with its event type', () => {
    const payload = buildPayload(issue({ project: { id: '10010', key: 'SUP', projectTypeKey: 'service_desk' }, customfield_10010: { requestType: { id: '1', name: 'Get IT help' } } }), strict, ctx);
    expect(payload.event_type).toBe('jsm:work_item_created');
    expect(payload.request_type).toBeUndefined();
    expect(fieldsOf(payload).issuetype).toEqual({ name: 'Bug', id: '10004' });
  });

  it('is refused by the schema as soon as one extra field is added (the schema test can fail)', () => {
    expect(validate({ ...buildPayload(issue(), strict, ctx), delivery_id: 'x' })).toBe(false);
    expect(validate(buildPayload(issue(), settings, ctx))).toBe(false);
  });
});
