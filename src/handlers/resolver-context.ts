/**
 * What a resolver may trust: Forge's `context` (the calling account and the issue or project the
 * module is shown on). Payload values are never used for identity or scope.
 */
import Resolver from '@forge/resolver';
import { licenceState, unlicensedAnswer, type LicenseDetails } from '../core/licence';
import { userPermissions } from '../forge/jira-adapter';
import { JiraLimitedError } from '../forge/jira-request';
import { translatorFor } from '../forge/translations';

export class ResolverError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ResolverError';
  }
}

export interface ForgeResolverContext {
  accountId?: string;
  license?: LicenseDetails;
  extension?: {
    issue?: { id?: string | number; key?: string; type?: string; typeId?: string };
    project?: { id?: string | number; key?: string; type?: string };
  };
}

export function issueFromContext(context: ForgeResolverContext) {
  const issue = context.extension?.issue;
  const project = context.extension?.project;
  if (!context.accountId) throw new ResolverError(401, 'this action needs a signed-in user');
  if (!issue?.id || !issue.key || !project?.id || !project.key) throw new ResolverError(400, 'this module is not shown on an issue');
  return {
    issueId: String(issue.id),
    issueKey: issue.key,
    issueType: { id: String(issue.typeId ?? ''), name: String(issue.type ?? '') },
    projectId: String(project.id),
    projectKey: project.key,
  };
}

export function projectFromContext(context: ForgeResolverContext) {
  const project = context.extension?.project;
  if (!context.accountId) throw new ResolverError(401, 'this action needs a signed-in user');
  if (!project?.id || !project.key) throw new ResolverError(400, 'this module is not shown in a project');
  return { projectId: String(project.id), projectKey: project.key };
}

/**
 * The reader's locale, as the screen sent it with the call (src/ui/call.ts): Forge gives functions
 * no locale ("A user's locale information is not directly available to Forge functions", docs
 * "runtime-reference/i18n"). It only chooses the language of the answer, never what it holds; an
 * absent or malformed value reads as English.
 */
export function localeOf(payload: unknown): string | undefined {
  const locale = (payload as { locale?: unknown } | undefined)?.locale;
  return typeof locale === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/.test(locale) ? locale : undefined;
}

/** The translator for the reader of this call. */
export const readerT = (payload: unknown) => translatorFor(localeOf(payload));

/** Throws 403 unless the calling user holds `permission` (checked with Jira, as that user). */
export async function requirePermission(permission: string, scope: { issueId?: string; projectId?: string } = {}): Promise<Set<string>> {
  const held = await userPermissions([permission], scope);
  if (!held.has(permission)) throw new ResolverError(403, `you need the ${permission} permission for this`);
  return held;
}

/**
 * A Resolver whose every function first checks the licence on Forge's `context`: while it is not
 * active, no function does any work and each answers `{ unlicensed: true, message }`, except the
 * `readOnly` ones, which read what is already stored (past results stay readable) and must offer
 * no action: they see `licenceInactive: true` in their request.
 */
export function licensedResolver(readOnly: string[] = []): Resolver {
  const resolver = new Resolver();
  const define = resolver.define.bind(resolver);
  resolver.define = ((key: string, handler: Parameters<Resolver['define']>[1]) =>
    define(key, async (request) => {
      const context = request.context as ForgeResolverContext;
      try {
        if (licenceState(context.license) === 'inactive') {
          if (readOnly.includes(key)) return await handler({ ...request, licenceInactive: true } as never);
          return { ...unlicensedAnswer(), message: (await readerT(request.payload))('licence.message') } as never;
        }
        return await handler(request);
      } catch (error) {
        if (error instanceof JiraLimitedError) throw new ResolverError(429, await limitMessage(error, request.payload));
        throw error;
      }
    })) as Resolver['define'];
  return resolver;
}

/** What a reader is told when Jira's rate limits stop their call: which limit, and when to try again. */
async function limitMessage(error: JiraLimitedError, payload: unknown): Promise<string> {
  const t = await readerT(payload);
  if (error.quota) return t('jiraLimit.quota', { time: error.untilIso.slice(11, 16) });
  return t(error.reason === 'jira-per-issue-on-write' ? 'jiraLimit.issue' : 'jiraLimit.burst', { seconds: error.retryAfterSeconds ?? 1 });
}

/** A reason key from the insights (such as `agent-500` or `timed-out`); anything else is ignored. */
export const reasonOf = (payload: unknown) => {
  const reason = (payload as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && /^[a-z-]{1,40}(-\d{3})?$/.test(reason) ? reason : undefined;
};
