/**
 * The issue context panel's dynamic properties function (manifest: `context-status.contextStatus`):
 * Jira calls it whenever the collapsed panel is shown, so it has its own small bundle and makes one
 * Jira read (the app's issue property), no storage read.
 */
import { route } from '@forge/api';
import { requestJira } from './forge/jira-request';
import { contextStatus as statusFor, type DynamicProperties } from './core/context-status';
import { ISSUE_PROPERTY_KEY } from './forge/jira-adapter';

/** Docs "jira-issue-context", Dynamic properties: `{ cloudId, extension: { type, issue: { id, ... }, project } }`. */
interface Payload {
  extension?: { issue?: { id?: string | number } };
}

export async function contextStatus(payload: Payload): Promise<DynamicProperties> {
  const issueId = payload?.extension?.issue?.id;
  if (issueId === undefined || !/^\d{1,18}$/.test(String(issueId))) return {};
  // Drawn while the issue opens: a rate limit gets one short wait, then the module's static properties show.
  const response = await requestJira('app', route`/rest/api/3/issue/${String(issueId)}/properties/${ISSUE_PROPERTY_KEY}`, { headers: { Accept: 'application/json' } }, { waitBudgetMs: 2_000 }).catch(() => undefined);
  if (!response?.ok) return {};
  const body = (await response.json()) as { value?: { status?: unknown } };
  return statusFor(body.value?.status);
}
