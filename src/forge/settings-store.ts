/** Settings and secrets in Forge storage. Secrets are only ever read here, never returned to a UI. */
import { kvs, WhereConditions } from '@forge/kvs';
import { DEFAULT_PROJECT_SETTINGS, upgradeStoredGlobalSettings, type GlobalSettings, type ProjectSettings, type SecretScope } from '../core/settings';

const GLOBAL_KEY = 'settings:global';
const projectKey = (projectId: string) => `settings:project:${projectId}`;

export async function loadGlobalSettings(): Promise<GlobalSettings | undefined> {
  return upgradeStoredGlobalSettings(await kvs.get<GlobalSettings>(GLOBAL_KEY));
}

export async function saveGlobalSettings(settings: GlobalSettings): Promise<void> {
  await kvs.set(GLOBAL_KEY, settings);
}

export async function loadProjectSettings(projectId: string): Promise<ProjectSettings> {
  return { ...DEFAULT_PROJECT_SETTINGS, ...((await kvs.get<ProjectSettings>(projectKey(projectId))) ?? {}) };
}

export async function saveProjectSettings(projectId: string, settings: ProjectSettings): Promise<void> {
  await kvs.set(projectKey(projectId), settings);
}

/** Projects that have settings saved, with those settings. */
export async function listProjectSettings(): Promise<Array<{ projectId: string; settings: ProjectSettings }>> {
  const found: Array<{ projectId: string; settings: ProjectSettings }> = [];
  let cursor: string | undefined;
  do {
    const query = kvs.query().where('key', WhereConditions.beginsWith('settings:project:')).limit(100);
    const page = await (cursor ? query.cursor(cursor) : query).getMany<ProjectSettings>();
    for (const row of page.results) found.push({ projectId: row.key.slice('settings:project:'.length), settings: row.value });
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

/** current and previous: the HMAC secret and the one in its rotation grace period; status-auth: the status URL's auth header. */
export type SecretSlot = 'current' | 'previous' | 'status-auth';

function secretKey(scope: SecretScope, slot: SecretSlot): string {
  return scope.kind === 'global' ? `secret:global:${slot}` : `secret:project:${scope.projectId}:${slot}`;
}

export async function readSecret(scope: SecretScope, slot: SecretSlot = 'current'): Promise<string | undefined> {
  return kvs.getSecret<string>(secretKey(scope, slot));
}

export async function writeSecret(scope: SecretScope, slot: SecretSlot, secret: string): Promise<void> {
  await kvs.setSecret(secretKey(scope, slot), secret);
}

export async function deleteSecret(scope: SecretScope, slot: SecretSlot): Promise<void> {
  await kvs.deleteSecret(secretKey(scope, slot));
}
