import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { CONNECTION_DEFAULTS as D } from './setting-defaults';
import { expandStatusUrl, urlProblem, type ValidationContext } from './settings';

/**
 * Validation of what admins submit on the settings pages (zod/mini). Loaded only by the settings
 * resolvers, so issue events and deliveries never pay for it.
 */

// zod/mini ships without messages; the English locale gives the same wording as full zod.
z.config(en());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const secretInfoSchema = z.object({ fingerprint: z.string(), setAt: z.string(), provenAt: z.optional(z.string()) });

/** A text field: trimmed, then checked; `checks` are zod/mini checks such as `z.maxLength`. */
const text = (required: string | undefined, ...checks: Parameters<ReturnType<typeof z.string>['check']>) =>
  z.string(required ? { error: required } : undefined).check(z.trim(), ...checks);

/** A number field whose every failure names the field. */
const wholeNumber = (label: string, min: number, max: number, unit = '', wholeMessage = `${label} must be a whole number`) =>
  z.int({ error: wholeMessage }).check(z.minimum(min, `${label} must be at least ${min}${unit}`), z.maximum(max, `${label} must be at most ${max}${unit}`));

function urlField(ctx: ValidationContext, label: string) {
  return z.pipe(
    text(
      `${label} is required`,
      z.minLength(1, `${label} is required`),
      z.superRefine((value: string, issue) => {
        const problem = urlProblem(value, ctx);
        if (problem) issue.issues.push({ code: 'custom', message: `${label} ${problem}`, input: value });
      }),
    ),
    z.transform((value: string) => value.replace(/\/+$/, '')),
  );
}

const agentIdField = text('Agent id is required', z.regex(UUID, 'Agent id must be a UUID such as 3f1c2a4e-8b7d-4c21-9e0f-5a6b7c8d9e0f'));
const tenantIdField = text('Tenant id is required', z.minLength(1, 'Tenant id is required'), z.maxLength(200, 'Tenant id is longer than 200 characters'));

export function globalSettingsSchema(ctx: ValidationContext) {
  return z
    .object({
      aiopsBaseUrl: urlField(ctx, 'AI Ops base URL'),
      agentId: agentIdField,
      tenantId: tenantIdField,
      keyEncoding: z._default(z.enum(['base64', 'utf8'], { error: 'Key encoding must be "base64" or "utf8"' }), D.keyEncoding),
      resultMode: z._default(z.enum(['comment', 'callback', 'poll'], { error: 'Result mode must be "comment", "callback" or "poll"' }), D.resultMode),
      resultAccount: z.optional(
        z.object({
          accountId: text(undefined, z.minLength(1, 'AI Ops Jira account must be a Jira account id'), z.maxLength(128, 'AI Ops Jira account id is longer than 128 characters')),
          displayName: z.optional(text(undefined, z.maxLength(255))),
        }),
      ),
      statusUrlTemplate: z.optional(text(undefined)),
      statusAuthHeaderName: z.optional(text(undefined, z.regex(/^[A-Za-z0-9-]+$/, 'Status auth header name must be an HTTP header name such as Authorization'))),
      resultTimeLimitMinutes: z._default(
        z.number({ error: 'Result time limit must be a number of minutes' }).check(
          z.minimum(1, 'Result time limit must be at least 1 minute'),
          z.maximum(24 * 60, 'Result time limit must be at most 24 hours'),
        ),
        D.resultTimeLimitMinutes,
      ),
      attemptLimit: z._default(wholeNumber('Attempt limit', 1, 10), D.attemptLimit),
      deliveryConcurrency: z._default(wholeNumber('Parallel deliveries', 1, 20), D.deliveryConcurrency),
      outageHorizonHours: z._default(
        z.number({ error: 'Outage horizon must be a number of hours' }).check(
          z.minimum(1, 'Outage horizon must be at least 1 hour'),
          z.maximum(72, 'Outage horizon must be at most 72 hours (the platform keeps queued events for up to 96 hours)'),
        ),
        D.outageHorizonHours,
      ),
      requestTimeoutSeconds: z._default(
        z.int({ error: 'Request timeout must be a number' }).check(
          z.minimum(1, 'Request timeout must be at least 1 second'),
          z.maximum(60, 'Request timeout must be at most 60 seconds'),
        ),
        D.requestTimeoutSeconds,
      ),
      retentionDays: z._default(wholeNumber('Retention', 7, 3650, ' days'), D.retentionDays),
      sendReporterName: z._default(z.boolean(), D.sendReporterName),
      sendReporterEmail: z._default(z.boolean(), D.sendReporterEmail),
      strictPayload: z._default(z.boolean(), D.strictPayload),
      /** The Automation action sends only issues of enabled projects unless an admin turns this off. */
      automationRequiresEnabledProject: z._default(z.boolean(), D.automationRequiresEnabledProject),
      secret: z.optional(secretInfoSchema),
      previousSecret: z.optional(z.extend(secretInfoSchema, { until: z.string() })),
      /** Raised on every save: a run records the version its attempt used. */
      version: z._default(z.int().check(z.minimum(0)), 0),
    })
    .check(
      z.superRefine((value, issue) => {
        for (const problem of pollProblems(value, ctx)) issue.issues.push({ code: 'custom', path: ['statusUrlTemplate'], message: problem, input: value });
      }),
    );
}

/** Checks that only matter when results are polled; also run on their own so every error shows at once. */
function pollProblems(value: Record<string, unknown>, ctx: ValidationContext): string[] {
  if (value.resultMode !== 'poll') return [];
  const template = typeof value.statusUrlTemplate === 'string' ? value.statusUrlTemplate.trim() : '';
  if (!template) return ['Status URL template is required when results are polled'];
  const problems: string[] = [];
  if (!template.includes('{execution_id}')) problems.push('Status URL template must contain {execution_id}');
  const problem = urlProblem(expandStatusUrl(template, String(value.aiopsBaseUrl ?? ''), 'x'), ctx);
  if (problem) problems.push(`Status URL template ${problem}`);
  return problems;
}

export type GlobalSettings = z.output<ReturnType<typeof globalSettingsSchema>>;

export const projectSettingsSchema = z.object({
  enabled: z._default(z.boolean(), false),
  events: z._default(z.object({ created: z._default(z.boolean(), true), updated: z._default(z.boolean(), false) }), { created: true, updated: false }),
  issueTypeIds: z._default(z.array(z.string()), []),
  priorityIds: z._default(z.array(z.string()), []),
  labelsInclude: z._default(z.array(text(undefined, z.minLength(1))), []),
  labelsExclude: z._default(z.array(text(undefined, z.minLength(1))), []),
  jql: z.optional(text(undefined, z.maxLength(2000, 'JQL condition is longer than 2000 characters'))),
  agentId: z.optional(agentIdField),
  tenantId: z.optional(tenantIdField),
  secret: z.optional(secretInfoSchema),
  /** Kept so site-wide lists can name the project. */
  projectKey: z.optional(z.string()),
});

export type ProjectSettings = z.output<typeof projectSettingsSchema>;

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

type SafeParse<T> = { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };

function fromZod<T>(result: SafeParse<T>): Validated<T> {
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(settings)', message: issue.message })),
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
  return { ok: false, errors: [...result.errors, ...pollProblems(rest, ctx).map((message) => ({ field: 'statusUrlTemplate', message }))] };
}

export function validateProjectSettings(input: unknown, stored?: ProjectSettings): Validated<ProjectSettings> {
  const { secret: _s, projectKey: _k, ...rest } = withoutEmptyStrings(input);
  return fromZod(projectSettingsSchema.safeParse({ ...rest, secret: stored?.secret, projectKey: stored?.projectKey }));
}

