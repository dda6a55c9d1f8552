/**
 * The issue context panel's dynamic properties function (manifest: `context-status.contextStatus`):
 * Jira calls it whenever the collapsed panel is shown, so it has its own small bundle and makes one
 * Jira read (the app's issue property), no storage read.
 */
import api, { route } from '@forge/api';
import { contextStatus as statusFor, type DynamicProperties } from './core/context-status';
import { ISSUE_PROPERTY_KEY } from './forge/jira-adapter';

/** Docs "jira-issue-context", Dynamic properties: `{ cloudId, extension: { type, issue: { id, ... }, project } }`. */
interface Payload {
  extension?: { issue?: { id?: string | number } };
}

export async function contextStatus(payload: Payload): Promise<DynamicProperties> {
  const issueId = payload?.extension?.issue?.id;
  if (issueId === undefined || !/^\d{1,18}$/.test(String(issueId))) return {};
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${String(issueId)}/properties/${ISSUE_PROPERTY_KEY}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) return {};
  const body = (await response.json()) as { value?: { status?: unknown } };
  return statusFor(body.value?.status);
}
