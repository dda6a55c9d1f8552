/**
 * The Forge CLI's offline checks, run without a login: manifest validation (@forge/manifest), the
 * client-side lint engine (@forge/lint) and the Forge bundler (@forge/bundler). Exits non-zero on
 * any error so CI stops.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { entityPropertyPathProblems, estimateComplexity, JiraExpressionError, parseJiraExpression } from './runtime/jira-expression';
import type { AppManifest } from './runtime/manifest';
import { PROJECT_ROOT } from './sandbox';

/** The backend budget: the deployed bundle minified, without its source map. */
export const BACKEND_BUDGET_KIB = 400;
/**
 * What the events a whole site sends may load (decision 0008, "small starts"): each trigger's own
 * bundle, the issue context's status function (called whenever an enhanced issue is viewed with
 * the panel collapsed), and together the chunks those bundles load (the issue trigger's, for an
 * enabled project). Chunks only a page's resolvers load count toward nothing but their own size.
 */
export const SITE_EVENT_BUDGET_KIB = 128;
const SITE_EVENT_BUNDLES = ['issue-events', 'comment-events', 'context-status'];

const results: Array<{ check: string; ok: boolean; detail: string }> = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

async function validateManifest() {
  const { validate } = await import('@forge/manifest');
  const result = await validate(false, join(PROJECT_ROOT, 'manifest.yml'));
  const errors = (result.errors ?? []).map((e) => `${e.message}${e.reference ? ` (${e.reference})` : ''}${e.line ? ` at line ${e.line}` : ''}`);
  results.push({ check: 'manifest validation (@forge/manifest)', ok: result.success && errors.length === 0, detail: errors.join('\n') || 'valid' });
  return result.manifestObject?.typedContent;
}

/**
 * The Forge CLI's lint engine, client-side, on `files` (paths relative to the project). Its
 * permission linter reads Jira's OpenAPI for each endpoint's scopes: offline, the extract of the
 * published definitions in sandbox/forge-checks/jira-openapi.json.
 */
export async function lintFiles(files: string[], manifest: unknown): Promise<{ errors: string[]; warnings: string[] }> {
  const tmp = join(PROJECT_ROOT, '.tmp');
  mkdirSync(tmp, { recursive: true });
  const empty = join(tmp, 'empty-openapi.json');
  writeFileSync(empty, JSON.stringify({ paths: {} }));
  process.env.USE_LOCAL_SWAGGER = '1';
  process.env.LOCAL_JIRA_SWAGGER = join(PROJECT_ROOT, 'sandbox', 'forge-checks', 'jira-openapi.json');
  for (const name of ['LOCAL_JSM_SWAGGER', 'LOCAL_JSW_SWAGGER', 'LOCAL_CONF_SWAGGER', 'LOCAL_CONF_V2_SWAGGER', 'LOCAL_BB_SWAGGER']) process.env[name] = empty;
  const { lint } = await import('@forge/lint');
  const logger = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined };
  const statsig = { getDeprecatedRuntimes: async () => [] };
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    const lintResults = await lint(files, manifest as never, 'development', logger as never, statsig as never, { linter: { mode: 'client-side' } });
    return {
      errors: lintResults.flatMap((r) => r.errors.map((e) => `${r.file}:${e.line}:${e.column} ${e.message}`)),
      warnings: lintResults.flatMap((r) => r.warnings.map((w) => `${r.file}:${w.line}:${w.column} ${w.message}`)),
    };
  } finally {
    process.chdir(cwd);
  }
}

/** The app's own sources, as `forge lint` would take them. */
export function appSourceFiles(): string[] {
  return sourceFiles(join(PROJECT_ROOT, 'src')).map((f) => relative(PROJECT_ROOT, f));
}

async function lintApp(manifest: unknown) {
  const files = appSourceFiles();
  const { errors, warnings } = await lintFiles(files, manifest);
  const problems = [...errors.map((e) => `error ${e}`), ...warnings.map((w) => `warning ${w}`)];
  results.push({ check: `lint (@forge/lint, client-side, ${files.length} files)`, ok: errors.length === 0, detail: problems.join('\n') || 'no problems' });
}

/**
 * What `forge deploy` checks in trigger filter expressions ("events-reference/product_events",
 * Restrictions): valid syntax, at most 10,000 characters, and a complexity estimate within 3
 * inferred variables, 3 combinations, 3 variables per combination, 10,000 constant operations;
 * and the limits on entity property paths (at most 5 across the app, supported events only).
 */
function checkFilterExpressions(manifest: Partial<AppManifest>) {
  const triggers = manifest.modules?.trigger ?? [];
  const { paths, problems } = entityPropertyPathProblems(triggers);
  const details: string[] = paths.length ? [`entity property paths: ${paths.length} of 5 (${paths.join(', ')})`] : [];
  for (const trigger of triggers) {
    const expression = trigger.filter?.expression;
    if (!expression) continue;
    try {
      parseJiraExpression(expression);
      const estimate = estimateComplexity(expression);
      details.push(`${trigger.key}: ${expression.length} characters, ${estimate.variables} variable(s), combinations ${estimate.combinations.join(', ') || 'none'}`);
      problems.push(...estimate.problems.map((p) => `${trigger.key}: ${p}`));
    } catch (error) {
      problems.push(`${trigger.key}: ${error instanceof JiraExpressionError ? error.message : String(error)}`);
    }
  }
  results.push({ check: 'trigger filter expressions', ok: problems.length === 0, detail: [...problems, ...details].join('\n') || 'none declared' });
}

/** Minifies a deployed bundle (esbuild) to weigh it without whitespace, comments or source map. */
async function minifiedKiB(file: string): Promise<number> {
  const { transform } = await import('esbuild');
  const minified = await transform(readFileSync(file, 'utf8'), { minify: true, loader: 'js', platform: 'node' } as never);
  return Buffer.byteLength(minified.code) / 1024;
}

export interface BackendBundle {
  outputDir: string;
  /**
   * One bundle per handler module (`index`, `issue-events`, ...): what a function loads; and the
   * chunks a handler loads only when it needs them (`chunk: true`), deployed in the same folder.
   */
  files: Array<{ name: string; path: string; kib: number; minifiedKiB: number; chunk: boolean }>;
  bytes: number;
}

/**
 * The chunk files a webpack bundle loads on demand: the ids of its `__webpack_require__.e(id)`
 * calls, named by its runtime's chunk file name map (an object literal, or `id === n ? "name"`);
 * a chunk without a name is the file `<id>.cjs`.
 */
export function chunksLoadedBy(text: string): string[] {
  const ids = new Set([...text.matchAll(/__webpack_require__\.e\(\s*(?:\/\*[^*]*\*\/\s*)?(\d+)\s*\)/g)].map((m) => m[1]));
  const names = new Map<string, string>([...text.matchAll(/chunkId === (\d+) \? "([^"]+)"/g)].map((m) => [m[1], m[2]]));
  for (const literal of text.matchAll(/return "" \+ (\{[^}]*\})\[chunkId\]/g)) {
    try {
      for (const [id, name] of Object.entries(JSON.parse(literal[1]) as Record<string, string>)) names.set(id, name);
    } catch {
      // not a plain map: the ids stand as names
    }
  }
  return [...ids].map((id) => names.get(id) ?? id);
}

/**
 * Builds the backend exactly as `forge deploy` does (webpack + ts-loader, type-checked): one bundle
 * per handler module. Each must stay within the budget; a function loads only its own.
 */
export async function bundleBackend(): Promise<BackendBundle | undefined> {
  const runtimeDir = join(PROJECT_ROOT, '.tmp', 'forge-runtime');
  mkdirSync(join(runtimeDir, 'dist'), { recursive: true });
  // The deploy wraps the bundle in Atlassian's runtime wrapper, downloaded at deploy time; offline, placeholders stand in.
  writeFileSync(join(runtimeDir, 'dist', 'wrapper.js'), '/* runtime wrapper placeholder */\n');
  writeFileSync(join(runtimeDir, 'dist', 'loader.js'), '/* runtime loader placeholder */\n');
  process.env.FORGE_RUNTIME_PATH = runtimeDir;
  const { getNodeBundler, getWrapperProvider, getEntryPoints } = await import('@forge/bundler');
  const { ConfigFile, FileSystemReader, FileSystemWriter } = await import('@forge/cli-shared');
  const reader = new FileSystemReader();
  const config = new ConfigFile(reader, new FileSystemWriter());
  const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, success: () => undefined };
  const bundler = getNodeBundler(quiet as never, getWrapperProvider({ fileSystemReader: reader }), config);
  const entryPoints = getEntryPoints(await config.getAppHandlers());
  try {
    const output = await bundler.bundle({ appDirectory: PROJECT_ROOT, entryPoints });
    const names = readdirSync(output.outputDir).filter((f) => f.endsWith('.cjs') || f.endsWith('.js'));
    const files = await Promise.all(
      names.map(async (name) => {
        const path = join(output.outputDir, name);
        const base = name.replace(/\.c?js$/, '');
        const chunk = !entryPoints.some((entry) => entry.name === base);
        return { name: base, path, kib: statSync(path).size / 1024, minifiedKiB: await minifiedKiB(path), chunk };
      }),
    );
    const bytes = files.reduce((n, f) => n + f.kib * 1024, 0);
    const over = files.filter((f) => f.minifiedKiB > BACKEND_BUDGET_KIB).map((f) => f.name);
    over.push(...files.filter((f) => SITE_EVENT_BUNDLES.includes(f.name) && f.minifiedKiB > SITE_EVENT_BUDGET_KIB).map((f) => `${f.name} (a site-event bundle)`));
    // The chunks a site event can load: those the site-event bundles ask webpack for, and theirs in turn.
    const siteChunks = new Set<string>();
    const pending = files.filter((f) => SITE_EVENT_BUNDLES.includes(f.name));
    while (pending.length > 0) {
      for (const name of chunksLoadedBy(readFileSync(pending.shift()!.path, 'utf8'))) {
        const file = files.find((f) => f.chunk && f.name === name);
        if (file && !siteChunks.has(name)) {
          siteChunks.add(name);
          pending.push(file);
        }
      }
    }
    const chunksKiB = files.filter((f) => siteChunks.has(f.name)).reduce((n, f) => n + f.minifiedKiB, 0);
    if (chunksKiB > SITE_EVENT_BUDGET_KIB) over.push(`the chunks site events load together (${chunksKiB.toFixed(0)} KiB)`);
    results.push({
      check: 'backend bundles (@forge/bundler)',
      ok: over.length === 0,
      detail: [
        ...files.map((f) => `${f.chunk ? `chunk ${f.name} (loaded on demand${siteChunks.has(f.name) ? ' by site events' : ''})` : f.name}: ${f.kib.toFixed(0)} KiB as deployed (no source map), ${f.minifiedKiB.toFixed(0)} KiB minified`),
        `budget ${BACKEND_BUDGET_KIB} KiB minified per bundle; ${SITE_EVENT_BUDGET_KIB} KiB for ${SITE_EVENT_BUNDLES.join(' and ')}, and for the chunks they load together (${chunksKiB.toFixed(0)} KiB)${over.length ? `; over: ${over.join(', ')}` : ''}`,
      ].join('\n'),
    });
    return { outputDir: output.outputDir, files, bytes };
  } catch (error) {
    results.push({ check: 'backend bundles (@forge/bundler)', ok: false, detail: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/** The bundles as deployed (the whole output folder, chunks included) answer an event in a fresh process. */
async function answerFromDeployFolder(outputDir: string) {
  try {
    const { answersFromCopy } = await import('./cold-start');
    results.push({ check: 'backend bundles load as deployed', ok: true, detail: await answersFromCopy(outputDir) });
  } catch (error) {
    results.push({ check: 'backend bundles load as deployed', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
}

/** Builds each UI Kit resource as `forge deploy` does (the native UI webpack config, type-checked). */
async function bundleUiResources(manifest: { resources?: Array<{ key: string; path: string }> }) {
  const { NativeUIBundler } = await import('@forge/bundler');
  const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, success: () => undefined };
  const resources = (manifest.resources ?? []).filter((r) => /\.tsx?$/.test(r.path));
  try {
    const result = await new NativeUIBundler(quiet as never).bundleResources(resources.map((r) => ({ key: r.key, path: join(PROJECT_ROOT, r.path) })) as never);
    const sizes = result.nativeUiBundlesDetails.map((d) => {
      const bytes = readdirSync(d.path).reduce((n, f) => n + (statSync(join(d.path, f)).isFile() ? statSync(join(d.path, f)).size : 0), 0);
      // The bundler writes to a temporary folder that a deploy uploads; measured, it goes.
      rmSync(d.path, { recursive: true, force: true });
      return `${d.key} ${(bytes / 1024).toFixed(0)} KiB`;
    });
    results.push({ check: 'UI Kit bundles (@forge/bundler NativeUIBundler)', ok: true, detail: sizes.join(', ') });
  } catch (error) {
    results.push({ check: 'UI Kit bundles (@forge/bundler NativeUIBundler)', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
}

/** The translations as `forge deploy` bundles them: the default locale must hold every manifest key. */
async function bundleTranslations(manifest: unknown) {
  try {
    const { buildLocaleBundle } = await import('./runtime/locales');
    const bundle = await buildLocaleBundle(manifest as never, PROJECT_ROOT);
    const info = bundle ? (JSON.parse(bundle.file('i18n-info.json') ?? '{}') as { config?: { locales?: string[] } }) : undefined;
    bundle?.dispose();
    results.push({ check: 'translations (Forge CLI i18n bundling)', ok: Boolean(bundle), detail: bundle ? `locales ${info?.config?.locales?.join(', ')}` : 'no translations declared' });
  } catch (error) {
    results.push({ check: 'translations (Forge CLI i18n bundling)', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
}

async function main() {
  process.chdir(PROJECT_ROOT);
  const manifest = await validateManifest();
  if (manifest) await lintApp(manifest);
  if (manifest) await bundleTranslations(manifest);
  if (manifest) checkFilterExpressions(manifest as never);
  const backend = await bundleBackend();
  if (backend) {
    await answerFromDeployFolder(backend.outputDir);
    rmSync(backend.outputDir, { recursive: true, force: true });
  }
  if (manifest) await bundleUiResources(manifest as never);
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.check}\n${r.detail.split('\n').map((l) => `     ${l}`).join('\n')}\n`);
  if (results.some((r) => !r.ok)) process.exit(1);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`platform checks could not run: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
