import { adfToPlainText } from './adf-text';
import type { EffectiveSettings } from './settings';

/**
 * The body the AI Ops Ticket Enhancer receives: the Jira Automation payload its agents were built
 * on (AIOPS-CONTRACT), plus the fields the result path needs unless strict mode is on.
 */

/** The subset of a Jira REST v3 issue that the payload uses. */
export interface JiraIssue {
  id: string;
  key: string;
  fields: {
    summary?: string | null;
    description?: unknown;
    priority?: { id?: string; name?: string } | null;
    issuetype?: { id?: string; name?: string } | null;
    status?: { name?: string } | null;
    reporter?: { displayName?: string; emailAddress?: string } | null;
    created?: string | null;
    labels?: string[] | null;
    components?: Array<{ name?: string }> | null;
    project?: { id?: string; key?: string; projectTypeKey?: string } | null;
    [field: string]: unknown;
  };
}

export type PayloadEvent = 'created' | 'updated' | 'test';

export interface PayloadContext {
  event: PayloadEvent;
  deliveryId: string;
  nowMs: number;
  siteUrl?: string;
  callbackUrl?: string;
}

/** Largest description sent, in UTF-16 code units; longer ones end with TRUNCATION_MARKER. */
export const DESCRIPTION_LIMIT = 32_000;
export const TRUNCATION_MARKER = '\n\n[description truncated by AI Ops Ticket Enhancer';

export function truncateDescription(text: string, limit = DESCRIPTION_LIMIT): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit);
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${TRUNCATION_MARKER}: ${cut.length} of ${text.length} characters sent]`;
}

interface RequestType {
  id: string;
  name: string;
}

/** Jira Service Management keeps the request type in a custom field whose id differs per site. */
function findRequestType(fields: JiraIssue['fields']): RequestType | undefined {
  for (const value of Object.values(fields)) {
    if (value && typeof value === 'object' && 'requestType' in value) {
      const requestType = (value as { requestType?: { id?: unknown; name?: unknown } }).requestType;
      if (requestType && typeof requestType.name === 'string') {
        return { id: String(requestType.id ?? ''), name: requestType.name };
      }
    }
  }
  return undefined;
}

function eventType(event: PayloadEvent, isServiceDesk: boolean): string {
  if (event === 'test') return 'test';
  if (isServiceDesk) return event === 'created' ? 'jsm:work_item_created' : 'jsm:work_item_updated';
  return event === 'created' ? 'jira:issue_created' : 'jira:issue_updated';
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The strict payload: exactly the body the Jira Automation "Send web request" rule sends, which
 * agents' JSON Schemas are written from. Every key is always there; where Jira has no value (no
 * priority, no reporter, an e-mail hidden by the user's profile or by the app's privacy setting)
 * Automation renders an empty string, and so does this. No other key, JSM requests included.
 */
export function buildStrictPayload(issue: JiraIssue, settings: EffectiveSettings, ctx: PayloadContext): Record<string, unknown> {
  const f = issue.fields;
  const isServiceDesk = f.project?.projectTypeKey === 'service_desk' || findRequestType(f) !== undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
  return {
    issue_key: issue.key,
    event_type: eventType(ctx.event, isServiceDesk),
    timestamp: new Date(ctx.nowMs).toISOString(),
    issue: {
      key: issue.key,
      fields: {
        summary: text(f.summary),
        description: truncateDescription(adfToPlainText(f.description ?? '')),
        priority: { name: text(f.priority?.name), id: text(f.priority?.id) },
        issuetype: { name: text(f.issuetype?.name), id: text(f.issuetype?.id) },
        status: { name: text(f.status?.name) },
        reporter: {
          displayName: settings.sendReporterName ? text(f.reporter?.displayName) : '',
          emailAddress: settings.sendReporterEmail ? text(f.reporter?.emailAddress) : '',
        },
        created: text(f.created),
      },
    },
    tenant_id: settings.tenantId,
  };
}

export function buildPayload(issue: JiraIssue, settings: EffectiveSettings, ctx: PayloadContext): Record<string, unknown> {
  if (settings.strictPayload) return buildStrictPayload(issue, settings, ctx);
  const f = issue.fields;
  const requestType = findRequestType(f);
  const isServiceDesk = f.project?.projectTypeKey === 'service_desk' || requestType !== undefined;
  const reporter = f.reporter
    ? withoutUndefined({
        displayName: settings.sendReporterName ? f.reporter.displayName : undefined,
        // Hidden by the user's profile visibility on most sites: then simply absent.
        emailAddress: settings.sendReporterEmail ? f.reporter.emailAddress : undefined,
      })
    : undefined;

  const fields = withoutUndefined({
    summary: f.summary ?? '',
    description: truncateDescription(adfToPlainText(f.description ?? '')),
    priority: f.priority ? withoutUndefined({ name: f.priority.name, id: f.priority.id }) : undefined,
    issuetype: isServiceDesk || !f.issuetype ? undefined : withoutUndefined({ name: f.issuetype.name, id: f.issuetype.id }),
    request_type: isServiceDesk ? requestType ?? { name: f.issuetype?.name ?? '', id: f.issuetype?.id ?? '' } : undefined,
    status: f.status ? { name: f.status.name ?? '' } : undefined,
    reporter: reporter && Object.keys(reporter).length > 0 ? reporter : undefined,
    created: f.created ?? undefined,
  });

  return withoutUndefined({
    issue_key: issue.key,
    event_type: eventType(ctx.event, isServiceDesk),
    timestamp: new Date(ctx.nowMs).toISOString(),
    issue: { key: issue.key, fields },
    tenant_id: settings.tenantId,
    ...(isServiceDesk ? { request_type: requestType?.name ?? f.issuetype?.name ?? '' } : {}),
    delivery_id: ctx.deliveryId,
    // Sent in every result mode, so an AI Ops deployment can move to callbacks without a settings change.
    callback_url: ctx.callbackUrl,
    site_url: ctx.siteUrl,
    agent_id: settings.agentId,
    project_key: f.project?.key,
    labels: f.labels ?? [],
    components: (f.components ?? []).map((component) => component.name).filter((name): name is string => Boolean(name)),
  });
}

/** Serialises once; these exact bytes are signed and sent. */
export function serialisePayload(payload: Record<string, unknown>): string {
  return JSON.stringify(payload);
}
