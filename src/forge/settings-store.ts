/** Settings and secrets in Forge storage. Secrets are only ever read here, never returned to a UI. */
import { randomBytes } from 'node:crypto';
import { kvs, WhereConditions } from '@forge/kvs';
import { DEFAULT_PROJECT_SETTINGS, upgradeStoredGlobalSettings, type GlobalSettings, type ProjectSettings, type SecretScope } from '../core/settings';

const GLOBAL_KEY = 'settings:global';
const projectKey = (projectId: string) => `settings:project:${projectId}`;
/** One small site-wide key with what an issue event needs: the connection and the enabled projects. */
export const SITE_KEY = 'settings:site';
/** The installation's delivery id salt, made on first use. */
const SALT_KEY = 'settings:id-salt';
/** Enabled projects are inlined up to this size; beyond it a project's settings are read on their own. */
const SITE_INLINE_BYTES = 150 * 1024;

export async function loadGlobalSettings(): Promise<GlobalSettings | undefined> {
  return upgradeStoredGlobalSettings(await kvs.get<GlobalSettings>(GLOBAL_KEY));
}

export async function saveGlobalSettings(settings: GlobalSettings): Promise<void> {
  await kvs.set(GLOBAL_KEY, settings);
  await rebuildSiteSettings();
}

export async function loadProjectSettings(projectId: string): Promise<ProjectSettings> {
  return { ...DEFAULT_PROJECT_SETTINGS, ...((await kvs.get<ProjectSettings>(projectKey(projectId))) ?? {}) };
}

export async function saveProjectSettings(projectId: string, settings: ProjectSettings): Promise<void> {
  await kvs.set(projectKey(projectId), settings);
  await rebuildSiteSettings();
}

/**
 * The site snapshot: written on every save (and checked by the scheduled sweep), read by every
 * issue event. Only enabled projects are listed, so an event in any other project costs this one
 * read. `separate` marks a project whose settings did not fit and are read on their own.
 */
interface StoredSiteSettings {
  global?: GlobalSettings;
  projects: Record<string, ProjectSettings | 'separate'>;
  /** The installation's delivery id salt (see `deliveryIdFor`). */
  salt?: string;
}

export interface SiteSettings {
  global?: GlobalSettings;
  /** The enabled project's settings, or undefined when the project is not enabled. */
  project(projectId: string): Promise<ProjectSettings | undefined>;
  /** The ids of the enabled projects. */
  enabledProjectIds: string[];
  /** Makes delivery ids unguessable while keeping them the same for a repeated event. */
  deliveryIdSalt?: string;
}

function siteView(stored: StoredSiteSettings): SiteSettings {
  return {
    global: upgradeStoredGlobalSettings(stored.global),
    project: async (projectId) => {
      const entry = stored.projects[projectId];
      if (!entry) return undefined;
      return entry === 'separate' ? loadProjectSettings(projectId) : { ...DEFAULT_PROJECT_SETTINGS, ...entry };
    },
    enabledProjectIds: Object.keys(stored.projects),
    deliveryIdSalt: stored.salt,
  };
}

/** A random salt made once per installation; of two first reads at once, both end with the one stored. */
async function deliveryIdSalt(): Promise<string> {
  const stored = await kvs.get<string>(SALT_KEY);
  if (stored) return stored;
  try {
    await kvs.set(SALT_KEY, randomBytes(32).toString('hex'), { keyPolicy: 'FAIL_IF_EXISTS' });
  } catch {
    // Another invocation made it first: theirs is the one.
  }
  return (await kvs.get<string>(SALT_KEY))!;
}

async function buildSiteSettings(): Promise<StoredSiteSettings> {
  const [global, projects, salt] = await Promise.all([kvs.get<GlobalSettings>(GLOBAL_KEY), listProjectSettings(), deliveryIdSalt()]);
  const site: StoredSiteSettings = { ...(global ? { global } : {}), projects: {}, salt };
  let bytes = Buffer.byteLength(JSON.stringify(site));
  for (const { projectId, settings } of projects) {
    if (!settings.enabled) continue;
    const size = Buffer.byteLength(JSON.stringify(settings)) + projectId.length + 8;
    site.projects[projectId] = bytes + size <= SITE_INLINE_BYTES ? settings : 'separate';
    bytes += site.projects[projectId] === 'separate' ? projectId.length + 16 : size;
  }
  return site;
}

/** Rewrites the snapshot from the stored settings; returns whether it changed. */
export async function rebuildSiteSettings(): Promise<boolean> {
  const [built, stored] = await Promise.all([buildSiteSettings(), kvs.get<StoredSiteSettings>(SITE_KEY)]);
  if (stored && JSON.stringify(stored) === JSON.stringify(built)) return false;
  await kvs.set(SITE_KEY, built);
  return true;
}

/** One read; the snapshot is rebuilt when it is missing (first event after an upgrade). */
export async function loadSiteSettings(): Promise<SiteSettings> {
  const stored = await kvs.get<StoredSiteSettings>(SITE_KEY);
  if (stored) return siteView(stored);
  const built = await buildSiteSettings();
  await kvs.set(SITE_KEY, built);
  return siteView(built);
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
