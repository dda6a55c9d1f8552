import { CONNECTION_DEFAULTS as D } from './setting-defaults';
import { urlProblem, type AddressContext } from './address-rules';
import type { Message } from './i18n';
import { MIN_KEY_BYTES, SecretFormatError, secretToKey, type KeyEncoding } from './signing';

/**
 * The app's configuration: global defaults set by a Jira admin, per-project choices set by a
 * project admin, and the effective settings one delivery uses. Secrets are never part of these
 * values: they live in Forge secret storage and appear here only as a fingerprint.
 */

export interface SecretInfo {
  fingerprint: string;
  setAt: string;
  /** When AI Ops first accepted something signed with this secret (a delivery or a connection check). */
  provenAt?: string;
}

export type ValidationContext = AddressContext;

export { urlProblem };

/** How results come back: the agent's Jira comment (the platform today), a callback, or a status URL. */
export type ResultMode = 'comment' | 'callback' | 'poll';

/** The Jira account the AI Ops platform comments as (its Jira tool's API token belongs to it). */
export interface ResultAccount {
  accountId: string;
  displayName?: string;
}

export type { FieldError, GlobalSettings, ProjectSettings, Validated } from './settings-validation';
import type { GlobalSettings, ProjectSettings } from './settings-validation';

/** What a project that nobody configured gets: not enabled, new issues only, no filters. */
export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  enabled: false,
  events: { created: true, updated: false },
  issueTypeIds: [],
  priorityIds: [],
  labelsInclude: [],
  labelsExclude: [],
  linkType: 'Relates',
  autoApplyLabels: 'off',
  autoApplyThreshold: 0.8,
};

/**
 * Settings as stored by an earlier version of the app, read with today's names: the poll time limit
 * became the result time limit of every mode.
 */
export function upgradeStoredGlobalSettings(raw: unknown): GlobalSettings | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { pollTimeLimitMinutes, ...rest } = raw as Record<string, unknown>;
  return {
    ...(rest as GlobalSettings),
    resultTimeLimitMinutes: (rest.resultTimeLimitMinutes as number | undefined) ?? (pollTimeLimitMinutes as number | undefined) ?? D.resultTimeLimitMinutes,
    resultMode: (rest.resultMode as ResultMode | undefined) ?? 'callback',
    deliveryConcurrency: (rest.deliveryConcurrency as number | undefined) ?? D.deliveryConcurrency,
    outageHorizonHours: (rest.outageHorizonHours as number | undefined) ?? D.outageHorizonHours,
    retentionDays: (rest.retentionDays as number | undefined) ?? D.retentionDays,
    automationRequiresEnabledProject: (rest.automationRequiresEnabledProject as boolean | undefined) ?? D.automationRequiresEnabledProject,
    runsPerIssuePerHour: (rest.runsPerIssuePerHour as number | undefined) ?? D.runsPerIssuePerHour,
    runsPerUserPerHour: (rest.runsPerUserPerHour as number | undefined) ?? D.runsPerUserPerHour,
    version: (rest.version as number | undefined) ?? 0,
  };
}

export const SECRET_GRACE_HOURS = 24;

export type SecretChange = 'unchanged' | 'replaced' | 'rotating';

/**
 * Settings after the admin entered a secret. The same secret again changes nothing. A secret that
 * AI Ops has accepted keeps signing the Standard Webhooks header beside the new one for a grace
 * period, so a receiver can switch over; one that never worked is simply replaced.
 */
export function rotateSecret<T extends { secret?: SecretInfo; previousSecret?: SecretInfo & { until: string } }>(
  settings: T,
  fingerprint: string,
  nowMs: number,
  graceHours = SECRET_GRACE_HOURS,
): { settings: T; change: SecretChange } {
  if (settings.secret?.fingerprint === fingerprint) return { settings, change: 'unchanged' };
  const setAt = new Date(nowMs).toISOString();
  const keepOld = settings.secret?.provenAt !== undefined;
  const previousSecret = keepOld && settings.secret ? { ...settings.secret, until: new Date(nowMs + graceHours * 3_600_000).toISOString() } : undefined;
  return { settings: { ...settings, secret: { fingerprint, setAt }, previousSecret }, change: keepOld ? 'rotating' : 'replaced' };
}

/** Checks a secret text for an encoding; the message names the field. */
export function secretProblem(secret: string, encoding: KeyEncoding): Message | undefined {
  if (encoding === 'base64') {
    // Python's b64decode refuses a text that is not ASCII: AI Ops would answer 401 to every request.
    const foreignScript = [...new Set([...secret].filter((c) => c.charCodeAt(0) > 0x7f))];
    if (foreignScript.length > 0) return { key: 'validation.secretNotAscii', params: { chars: foreignScript.slice(0, 3).map((c) => `"${c}"`).join(', ') } };
    // The server's decoder silently drops such characters, which would give a different key.
    const foreign = [...new Set(secret.replace(/[A-Za-z0-9+/=\s]/g, ''))];
    if (foreign.length > 0) return { key: 'validation.secretNotBase64', params: { chars: foreign.slice(0, 3).map((c) => `"${c}"`).join(', ') } };
  }
  try {
    const key = secretToKey(secret, encoding);
    if (key.length < MIN_KEY_BYTES) return { key: 'validation.secretTooShort', params: { bytes: key.length, min: MIN_KEY_BYTES } };
    return undefined;
  } catch (error) {
    if (error instanceof SecretFormatError) return { key: 'validation.secretFormat', params: { problem: { key: error.key } } };
    throw error;
  }
}

export function expandStatusUrl(template: string, baseUrl: string, executionId: string): string {
  return template.replaceAll('{base}', baseUrl).replaceAll('{execution_id}', encodeURIComponent(executionId));
}

/** Where the secret of a connection lives in secret storage. */
export type SecretScope = { kind: 'global' } | { kind: 'project'; projectId: string };

/** Everything one delivery needs, with the project's overrides applied. Holds no secret. */
export interface EffectiveSettings {
  aiopsBaseUrl: string;
  agentId: string;
  tenantId: string;
  keyEncoding: KeyEncoding;
  secretScope: SecretScope;
  resultMode: ResultMode;
  resultAccount?: ResultAccount;
  statusUrlTemplate?: string;
  statusAuthHeaderName?: string;
  resultTimeLimitMinutes: number;
  /** The global settings version these settings came from. */
  settingsVersion: number;
  attemptLimit: number;
  requestTimeoutSeconds: number;
  deliveryConcurrency: number;
  outageHorizonHours: number;
  sendReporterName: boolean;
  sendReporterEmail: boolean;
  strictPayload: boolean;
  /** Comments carry the run marker (comment mode). */
  runMarker: boolean;
  /** Runs without a result are looked up in AI Ops' execution records. */
  aiopsLookup: boolean;
  /** The project's auto-apply of suggested labels, when it is not off. */
  autoApply?: { mode: 'dry-run' | 'on'; threshold: number };
}

export type Connection = { ok: true; settings: EffectiveSettings } | { ok: false; reason: string };

export function effectiveSettings(
  global: GlobalSettings | undefined,
  project: ProjectSettings,
  projectId: string,
): Connection {
  if (!global) return { ok: false, reason: 'the AI Ops connection is not configured: a Jira admin must set it up on the app\'s admin page' };
  const usesProjectSecret = project.secret !== undefined;
  if (!usesProjectSecret && !global.secret) {
    return { ok: false, reason: 'no HMAC secret is configured: a Jira admin must set it on the app\'s admin page' };
  }
  return {
    ok: true,
    settings: {
      aiopsBaseUrl: global.aiopsBaseUrl,
      agentId: project.agentId ?? global.agentId,
      tenantId: project.tenantId ?? global.tenantId,
      keyEncoding: global.keyEncoding,
      secretScope: usesProjectSecret ? { kind: 'project', projectId } : { kind: 'global' },
      resultMode: global.resultMode,
      resultAccount: global.resultAccount,
      statusUrlTemplate: global.statusUrlTemplate,
      statusAuthHeaderName: global.statusAuthHeaderName,
      resultTimeLimitMinutes: global.resultTimeLimitMinutes,
      settingsVersion: global.version ?? 0,
      attemptLimit: global.attemptLimit,
      requestTimeoutSeconds: global.requestTimeoutSeconds,
      deliveryConcurrency: global.deliveryConcurrency ?? D.deliveryConcurrency,
      outageHorizonHours: global.outageHorizonHours ?? D.outageHorizonHours,
      sendReporterName: global.sendReporterName,
      sendReporterEmail: global.sendReporterEmail,
      strictPayload: global.strictPayload,
      runMarker: global.runMarker ?? D.runMarker,
      aiopsLookup: global.aiopsLookup ?? D.aiopsLookup,
      ...(project.autoApplyLabels && project.autoApplyLabels !== 'off' ? { autoApply: { mode: project.autoApplyLabels, threshold: project.autoApplyThreshold ?? 0.8 } } : {}),
    },
  };
}
