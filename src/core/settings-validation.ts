import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { inEnglish } from './english';
import { say, type Message, type Translate } from './i18n';
import { CONNECTION_DEFAULTS as D } from './setting-defaults';
import { expandStatusUrl, urlProblem, type ValidationContext } from './settings';
import { baseUrlPathProblem } from './address-rules';

/**
 * Validation of what admins submit on the settings pages (zod/mini). Loaded only by the settings
 * resolvers, so issue events and deliveries never pay for it.
 */

// zod/mini ships without messages; the English locale gives the same wording as full zod. Only
// zod's own messages (a value of the wrong type, which the screens never send) stay in English;
// every rule of ours is a Message from src/locales, worded for the reader by `wordErrors`.
z.config(en());

/** A rule's text as zod carries it: the Message, marked so that `fromZod` can read it back. */
const MARK = '\u0000msg:';
const m = (key: string, params?: Message['params']): string => MARK + JSON.stringify(params ? { key, params } : { key });
const field = (name: string): Message => ({ key: `field.${name}` });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const secretInfoSchema = z.object({ fingerprint: z.string(), setAt: z.string(), provenAt: z.optional(z.string()) });

/** A text field: trimmed, then checked; `checks` are zod/mini checks such as `z.maxLength`. */
const text = (required: string | undefined, ...checks: Parameters<ReturnType<typeof z.string>['check']>) =>
  z.string(required ? { error: required } : undefined).check(z.trim(), ...checks);

/** A number field whose every failure names the field. */
const wholeNumber = (name: string, min: number, max: number, unit: '' | 'Days' = '') =>
  z.int({ error: m('validation.wholeNumber', { field: field(name) }) }).check(
    z.minimum(min, m(`validation.atLeast${unit}`, { field: field(name), min })),
    z.maximum(max, m(`validation.atMost${unit}`, { field: field(name), max })),
  );

const tooLong = (name: string, max: number) => z.maxLength(max, m('validation.tooLong', { field: field(name), max }));

function urlField(ctx: ValidationContext, name: string) {
  const required = m('validation.required', { field: field(name) });
  return z.pipe(
    text(
      required,
      z.minLength(1, required),
      z.superRefine((value: string, issue) => {
        const problem = urlProblem(value, ctx);
        if (problem) issue.issues.push({ code: 'custom', message: m('validation.url', { field: field(name), problem }), input: value });
      }),
    ),
    z.transform((value: string) => value.replace(/\/+$/, '')),
  );
}

const agentIdField = text(m('validation.required', { field: field('agentId') }), z.regex(UUID, m('validation.agentIdUuid')));
const tenantIdField = text(m('validation.required', { field: field('tenantId') }), z.minLength(1, m('validation.required', { field: field('tenantId') })), tooLong('tenantId', 200));

/** The AI Ops base URL: a valid URL, without the API's own paths on it. */
function baseUrlField(ctx: ValidationContext) {
  return z.pipe(
    urlField(ctx, 'aiopsBaseUrl'),
    z.string().check(
      z.superRefine((value: string, issue) => {
        const problem = baseUrlPathProblem(value);
        if (problem) issue.issues.push({ code: 'custom', message: m('validation.url', { field: field('aiopsBaseUrl'), problem }), input: value });
      }),
    ),
  );
}

export function globalSettingsSchema(ctx: ValidationContext) {
  return z
    .object({
      aiopsBaseUrl: baseUrlField(ctx),
      agentId: agentIdField,
      tenantId: tenantIdField,
      keyEncoding: z._default(z.enum(['base64', 'utf8'], { error: m('validation.keyEncoding') }), D.keyEncoding),
      resultMode: z._default(z.enum(['comment', 'callback', 'poll'], { error: m('validation.resultMode') }), D.resultMode),
      resultAccount: z.optional(
        z.object({
          accountId: text(undefined, z.minLength(1, m('validation.resultAccount')), tooLong('resultAccountId', 128)),
          displayName: z.optional(text(undefined, tooLong('resultAccountName', 255))),
        }),
      ),
      statusUrlTemplate: z.optional(text(undefined)),
      statusAuthHeaderName: z.optional(text(undefined, z.regex(/^[A-Za-z0-9-]+$/, m('validation.headerName')))),
      resultTimeLimitMinutes: z._default(
        z.number({ error: m('validation.resultTimeNumber') }).check(
          z.minimum(1, m('validation.resultTimeMin')),
          z.maximum(24 * 60, m('validation.resultTimeMax')),
        ),
        D.resultTimeLimitMinutes,
      ),
      attemptLimit: z._default(wholeNumber('attemptLimit', 1, 10), D.attemptLimit),
      deliveryConcurrency: z._default(wholeNumber('parallelDeliveries', 1, 20), D.deliveryConcurrency),
      outageHorizonHours: z._default(
        z.number({ error: m('validation.outageNumber') }).check(
          z.minimum(1, m('validation.outageMin')),
          z.maximum(72, m('validation.outageMax')),
        ),
        D.outageHorizonHours,
      ),
      requestTimeoutSeconds: z._default(
        z.int({ error: m('validation.timeoutNumber') }).check(
          z.minimum(1, m('validation.timeoutMin')),
          z.maximum(60, m('validation.timeoutMax')),
        ),
        D.requestTimeoutSeconds,
      ),
      retentionDays: z._default(wholeNumber('retention', 7, 3650, 'Days'), D.retentionDays),
      runsPerIssuePerHour: z._default(wholeNumber('runsPerIssuePerHour', 1, 100), D.runsPerIssuePerHour),
      runsPerUserPerHour: z._default(wholeNumber('runsPerUserPerHour', 1, 1000), D.runsPerUserPerHour),
      sendReporterName: z._default(z.boolean(), D.sendReporterName),
      sendReporterEmail: z._default(z.boolean(), D.sendReporterEmail),
      strictPayload: z._default(z.boolean(), D.strictPayload),
      runMarker: z._default(z.boolean(), D.runMarker),
      forwardFeedback: z._default(z.boolean(), D.forwardFeedback),
      aiopsLookup: z._default(z.boolean(), D.aiopsLookup),
      /** The Automation action sends only issues of enabled projects unless an admin turns this off. */
      automationRequiresEnabledProject: z._default(z.boolean(), D.automationRequiresEnabledProject),
      secret: z.optional(secretInfoSchema),
      previousSecret: z.optional(z.extend(secretInfoSchema, { until: z.string() })),
      /** Raised on every save: a run records the version its attempt used. */
      version: z._default(z.int().check(z.minimum(0)), 0),
    })
    .check(
      z.superRefine((value, issue) => {
        for (const problem of pollProblems(value, ctx)) issue.issues.push({ code: 'custom', path: ['statusUrlTemplate'], message: m(problem.key, problem.params), input: value });
      }),
    );
}

/** Checks that only matter when results are polled; also run on their own so every error shows at once. */
function pollProblems(value: Record<string, unknown>, ctx: ValidationContext): Message[] {
  if (value.resultMode !== 'poll') return [];
  const template = typeof value.statusUrlTemplate === 'string' ? value.statusUrlTemplate.trim() : '';
  if (!template) return [{ key: 'validation.statusUrlRequired' }];
  const problems: Message[] = [];
  if (!template.includes('{execution_id}')) problems.push({ key: 'validation.statusUrlExecutionId', params: { execution_id: '{execution_id}' } });
  const problem = urlProblem(expandStatusUrl(template, String(value.aiopsBaseUrl ?? ''), 'x'), ctx);
  if (problem) problems.push({ key: 'validation.url', params: { field: field('statusUrlTemplate'), problem } });
  return problems;
}

export type GlobalSettings = z.output<ReturnType<typeof globalSettingsSchema>>;

export const projectSettingsSchema = z.object({
  enabled: z._default(z.boolean(), false),
  events: z._default(z.object({ created: z._default(z.boolean(), true), updated: z._default(z.boolean(), false) }), { created: true, updated: false }),
  issueTypeIds: z._default(z.array(z.string()), []),
  priorityIds: z._default(z.array(z.string()), []),
  labelsInclude: z._default(z.array(text(undefined, z.minLength(1, m('validation.required', { field: field('label') })))), []),
  labelsExclude: z._default(z.array(text(undefined, z.minLength(1, m('validation.required', { field: field('label') })))), []),
  jql: z.optional(text(undefined, tooLong('jql', 2000))),
  agentId: z.optional(agentIdField),
  tenantId: z.optional(tenantIdField),
  secret: z.optional(secretInfoSchema),
  /** The issue link type "Link as related" creates (by name). */
  linkType: z._default(text(undefined, z.minLength(1, m('validation.required', { field: field('linkType') })), tooLong('linkType', 255)), 'Relates'),
  /** Labels the analysis suggests: never applied (off), reported only (dry-run), or applied above the threshold (on). */
  autoApplyLabels: z._default(z.enum(['off', 'dry-run', 'on'], { error: m('validation.autoApply') }), 'off'),
  autoApplyThreshold: z._default(
    z.number({ error: m('validation.threshold') }).check(z.minimum(0, m('validation.threshold')), z.maximum(1, m('validation.threshold'))),
    0.8,
  ),
  /** Kept so site-wide lists can name the project. */
  projectKey: z.optional(z.string()),
});

export type ProjectSettings = z.output<typeof projectSettingsSchema>;

export interface FieldError {
  field: string;
  /** In English. */
  message: string;
  /** The same text as a Message, to word it for the reader; absent for zod's own messages. */
  text?: Message;
}

export function fieldError(fieldName: string, text: Message): FieldError {
  return { field: fieldName, message: inEnglish(text), text };
}

/** The errors worded for the reader, as the settings pages show them. */
export function wordErrors(errors: readonly FieldError[], t: Translate): Array<{ field: string; message: string }> {
  return errors.map((error) => ({ field: error.field, message: error.text ? say(t, error.text) : error.message }));
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

type SafeParse<T> = { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };

function fromZod<T>(result: SafeParse<T>): Validated<T> {
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(settings)';
      return issue.message.startsWith(MARK) ? fieldError(name, JSON.parse(issue.message.slice(MARK.length)) as Message) : { field: name, message: issue.message };
    }),
  };
}

function withoutEmptyStrings(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return {};
  // A cleared text field means "not set".
  return Object.fromEntries(Object.entries(input).filter(([, v]) => !(typeof v === 'string' && v.trim() === '')));
}

/**
 * Validates what an admin submitted. Secret metadata is never taken from the browser: it is kept
 * from the stored settings.
 */
export function validateGlobalSettings(input: unknown, ctx: ValidationContext, stored?: GlobalSettings): Validated<GlobalSettings> {
  const { secret: _s, previousSecret: _p, version: _v, pollTimeLimitMinutes: legacyLimit, ...given } = withoutEmptyStrings(input);
  const rest = { ...(legacyLimit !== undefined && given.resultTimeLimitMinutes === undefined ? { resultTimeLimitMinutes: legacyLimit } : {}), ...given };
  const result = fromZod(
    globalSettingsSchema(ctx).safeParse({ ...rest, secret: stored?.secret, previousSecret: stored?.previousSecret, version: (stored?.version ?? 0) + 1 }),
  );
  if (result.ok || result.errors.some((e) => e.field === 'statusUrlTemplate')) return result;
  // Object-level checks do not run when a field failed; run them here so the admin sees them too.
  return { ok: false, errors: [...result.errors, ...pollProblems(rest, ctx).map((problem) => fieldError('statusUrlTemplate', problem))] };
}

export function validateProjectSettings(input: unknown, stored?: ProjectSettings): Validated<ProjectSettings> {
  const { secret: _s, projectKey: _k, ...rest } = withoutEmptyStrings(input);
  return fromZod(projectSettingsSchema.safeParse({ ...rest, secret: stored?.secret, projectKey: stored?.projectKey }));
}

