/**
 * The app's translations as `forge deploy` bundles them (the Forge CLI's own
 * I18nResourceBundlingService): a `__LOCALES__` folder with one file per locale and
 * `i18n-info.json`. Screens fetch it next to their resource; functions read it under the app's
 * code directory (`@forge/api` i18n).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AppManifest } from './manifest';

export const LOCALES_FOLDER = '__LOCALES__';

export interface LocaleBundle {
  /** The folder that holds `__LOCALES__` (the functions' code directory). */
  root: string;
  /** The file's text, or undefined when the bundle has no such file. */
  file(name: string): string | undefined;
  locales: string[];
  /** Removes the bundle's folder (the sandbox calls it when it stops). */
  dispose(): void;
}

export async function buildLocaleBundle(manifest: AppManifest, projectRoot: string): Promise<LocaleBundle | undefined> {
  const translations = (manifest as unknown as { translations?: { resources: Array<{ key: string; path: string }>; fallback: Record<string, unknown> } }).translations;
  if (!translations) return undefined;
  const { I18nResourceBundlingService } = await import('@forge/cli-shared');
  const config = { ...translations, resources: translations.resources.map((r) => ({ ...r, path: resolve(projectRoot, r.path) })) };
  const bundled = await new I18nResourceBundlingService().bundle(manifest.modules as never, config as never);
  if (!bundled.exists) return undefined;
  const root = mkdtempSync(join(tmpdir(), 'sandbox-locales-'));
  mkdirSync(join(root, LOCALES_FOLDER));
  for (const name of readdirSync(bundled.path)) writeFileSync(join(root, LOCALES_FOLDER, name), readFileSync(join(bundled.path, name)));
  // The CLI leaves its bundle in a temporary folder of its own; a deploy uploads and forgets it, so do we.
  rmSync(bundled.path, { recursive: true, force: true });
  const files = new Map(readdirSync(join(root, LOCALES_FOLDER)).map((name) => [name, readFileSync(join(root, LOCALES_FOLDER, name), 'utf8')]));
  return {
    root,
    file: (name) => files.get(name),
    locales: translations.resources.map((r) => r.key),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
