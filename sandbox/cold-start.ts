/**
 * Cold start: a fresh Node process loads a backend bundle built by the Forge bundler (as `forge
 * deploy` builds it) and answers one issue event on the sandbox runtime. Timed inside the child,
 * from the first invocation (which loads the bundle) to its answer, so Node's own start and the
 * sandbox's set-up are left out. The app's bundle is compared with minimal Forge handlers, built
 * the same way: one that does the least any issue trigger does (one KVS read), and one that does
 * the least a trigger that hands an issue to a queue does (one KVS read and one push).
 *
 * Parent: `coldStart(n)` builds both bundles and runs n children for each, alternating.
 * Child: `node .tmp/cold-start-child.cjs child <bundle-dir> <manifest> <function> <event-json> [enabled]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, existsSync, writeFileSync, readFileSync, copyFileSync, rmSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const ROOT = join(__dirname, '..');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** An issue created in a project that is not enabled: the app reads its site snapshot and stops. */
const EVENT = {
  issue: {
    id: '90001',
    key: 'OPS-1',
    fields: { summary: 'Cold start', issuetype: { id: '10001', name: 'Task' }, project: { id: '10099', key: 'OPS', name: 'Ops' }, created: '2026-11-29T10:00:00.000+0000', updated: '2026-11-29T10:00:00.000+0000' },
  },
  atlassianId: '557058:0c3f-agent',
  timestamp: '1795600000000',
};

async function buildMinimalApp(): Promise<{ bundles: string; manifest: string }> {
  const dir = join(ROOT, '.tmp', 'minimal-forge-app');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'manifest.yml'),
    [
      'modules:',
      '  trigger:',
      '    - key: minimal-trigger',
      '      function: minimal',
      '      events:',
      '        - avi:jira:created:issue',
      '    - key: minimal-push-trigger',
      '      function: minimal-push',
      '      events:',
      '        - avi:jira:created:issue',
      '  consumer:',
      '    - key: minimal-consumer',
      '      queue: minimal-queue',
      '      function: minimal',
      '  function:',
      '    - key: minimal',
      '      handler: index.handler',
      '    - key: minimal-push',
      '      handler: push.handler',
      'app:',
      '  id: ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000001',
      '  runtime:',
      '    name: nodejs22.x',
      'permissions:',
      '  scopes:',
      '    - storage:app',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'src', 'index.ts'), "import { kvs } from '@forge/kvs';\n\nexport async function handler(): Promise<void> {\n  await kvs.get('settings:site');\n}\n");
  writeFileSync(
    join(dir, 'src', 'push.ts'),
    "import { kvs } from '@forge/kvs';\nimport { Queue } from '@forge/events';\n\nexport async function handler(event: { issue: { id: string } }): Promise<void> {\n  await kvs.get('settings:site');\n  await new Queue({ key: 'minimal-queue' }).push({ body: { issueId: event.issue.id } });\n}\n",
  );
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')), include: ['src/**/*'] }));
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "minimal-forge-app", "private": true }\n');
  const bundles = await forgeBundle(dir, [
    { name: 'index', path: join(dir, 'src', 'index.ts') },
    { name: 'push', path: join(dir, 'src', 'push.ts') },
  ]);
  return { bundles, manifest: join(dir, 'manifest.yml') };
}

/** The Forge bundler's node build (sandbox/platform-checks does the same for the app). */
async function forgeBundle(appDirectory: string, entryPoints: Array<{ name: string; path: string }>): Promise<string> {
  const runtimeDir = join(ROOT, '.tmp', 'forge-runtime');
  mkdirSync(join(runtimeDir, 'dist'), { recursive: true });
  writeFileSync(join(runtimeDir, 'dist', 'wrapper.js'), '/* runtime wrapper placeholder */\n');
  writeFileSync(join(runtimeDir, 'dist', 'loader.js'), '/* runtime loader placeholder */\n');
  process.env.FORGE_RUNTIME_PATH = runtimeDir;
  const { getNodeBundler, getWrapperProvider } = await import('@forge/bundler');
  const { ConfigFile, FileSystemReader, FileSystemWriter } = await import('@forge/cli-shared');
  const reader = new FileSystemReader();
  const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, success: () => undefined };
  const bundler = getNodeBundler(quiet as never, getWrapperProvider({ fileSystemReader: reader }), new ConfigFile(reader, new FileSystemWriter()));
  const cwd = process.cwd();
  process.chdir(appDirectory);
  try {
    const output = await bundler.bundle({ appDirectory, entryPoints } as never);
    return output.outputDir;
  } finally {
    process.chdir(cwd);
  }
}

/**
 * The child runs as plain Node on a CommonJS build of this file (esbuild), so no TypeScript loader
 * hooks into `require` and the bundles load as they would on the platform.
 */
async function buildChild(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(ROOT, '.tmp', 'cold-start-child.cjs');
  await build({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error', external: ['@forge/bundler', '@forge/cli-shared', 'esbuild'] });
  return outfile;
}

function runChild(child: string, bundle: string, manifest: string, functionKey: string, enabled = false): number {
  const event = enabled ? { ...EVENT, issue: { ...EVENT.issue, fields: { ...EVENT.issue.fields, project: { id: '10000', key: 'DEMO', name: 'Demo' } } } } : EVENT;
  const result = spawnSync(process.execPath, [child, 'child', bundle, manifest, functionKey, JSON.stringify(event), enabled ? 'enabled' : ''], { encoding: 'utf8', cwd: ROOT });
  const line = result.stdout.split('\n').find((l) => l.startsWith('cold-start-ms '));
  if (!line) throw new Error(`cold start child failed: ${result.stderr || result.stdout}`);
  return Number(line.split(' ')[1]);
}

/**
 * `forge deploy` uploads the bundler's whole output folder (the CLI's RuntimeBundler archives it
 * as is), so a handler's lazily loaded chunks travel with it. A copy of that folder alone, away from
 * node_modules, must answer an issue event in a fresh process: one in a project that is not enabled
 * (the handler's own file) and one in an enabled project (which loads the delivery chunks and pushes).
 */
export async function answersFromCopy(bundleDir: string): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'deployed-bundle-'));
  try {
    cpSync(bundleDir, copy, { recursive: true, filter: (path) => !path.endsWith('.map') });
    const child = await buildChild();
    const notEnabled = runChild(child, copy, join(ROOT, 'manifest.yml'), 'on-issue-event');
    const enabled = runChild(child, copy, join(ROOT, 'manifest.yml'), 'on-issue-event', true);
    return `a copy of the bundle folder answers an issue event: project not enabled ${notEnabled.toFixed(0)} ms, enabled (chunks loaded, job pushed) ${enabled.toFixed(0)} ms`;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export interface ColdStartReport {
  /** An issue in a project that is not enabled: the app reads its snapshot and stops. */
  appMs: number;
  /** An issue in an enabled project: the app also loads the Jira and queue SDKs and pushes the job. */
  appEnabledMs: number;
  minimalMs: number;
  /** The minimal handler that reads once and pushes one job. */
  minimalPushMs: number;
  ratio: number;
  ratioEnabled: number;
  /** The enabled project's start against the minimal handler that also pushes. */
  ratioEnabledToPush: number;
  runs: number;
}

/** `appBundles`: the directory the Forge bundler wrote the app's bundles to (one per handler module). */
export async function coldStart(runs: number, appBundles: string): Promise<ColdStartReport> {
  const minimal = await buildMinimalApp();
  const childScript = await buildChild();
  const app: number[] = [];
  const appEnabled: number[] = [];
  const base: number[] = [];
  const basePush: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    app.push(runChild(childScript, appBundles, join(ROOT, 'manifest.yml'), 'on-issue-event'));
    appEnabled.push(runChild(childScript, appBundles, join(ROOT, 'manifest.yml'), 'on-issue-event', true));
    base.push(runChild(childScript, minimal.bundles, minimal.manifest, 'minimal'));
    basePush.push(runChild(childScript, minimal.bundles, minimal.manifest, 'minimal-push', true));
  }
  rmSync(minimal.bundles, { recursive: true, force: true });
  const [appMs, appEnabledMs, minimalMs, minimalPushMs] = [median(app), median(appEnabled), median(base), median(basePush)];
  return { appMs, appEnabledMs, minimalMs, minimalPushMs, ratio: appMs / minimalMs, ratioEnabled: appEnabledMs / minimalMs, ratioEnabledToPush: appEnabledMs / minimalPushMs, runs };
}

async function child(bundles: string, manifestPath: string, functionKey: string, eventJson: string, enabled: boolean): Promise<void> {
  const { ForgeRuntime } = await import('./runtime/forge-runtime');
  const manifest = parseYaml(readFileSync(manifestPath, 'utf8'));
  let loadMs = 0;
  const runtime = new ForgeRuntime({
    manifest,
    // Node's own require, untouched by the bundler that built this script.
    loadApp: (file) => {
      const at = process.hrtime.bigint();
      const exports = module.require(join(bundles, `${file}.cjs`));
      loadMs = Number(process.hrtime.bigint() - at) / 1e6;
      return exports;
    },
    jira: async () => new Response('{}', { status: 404 }),
    baseUrl: () => 'http://127.0.0.1:1',
    appAccountId: 'app',
  });
  runtime.install();
  // The pushed job waits in the queue: the consumer (another function, another bundle) is not part of this start.
  runtime.paused = true;
  {
    // The site snapshot as any earlier event leaves it: DEMO enabled, OPS not.
    const global = { aiopsBaseUrl: 'https://aiops.example.com', agentId: '7d3f9a2e-4b1c-4e8d-9f6a-2c5b8e1d0a3f', tenantId: 't', keyEncoding: 'base64', resultMode: 'comment', secret: { fingerprint: 'f', setAt: '2026-11-29T00:00:00.000Z' } };
    const project = { enabled: true, events: { created: true, updated: false }, issueTypeIds: [], priorityIds: [], labelsInclude: [], labelsExclude: [] };
    await runtime.kvs.handle('/api/v1/set', { key: 'settings:site', value: { global, projects: { '10000': project } } });
  }
  const started = process.hrtime.bigint();
  await runtime.invoke(functionKey, 'cold-start', 'trigger', [JSON.parse(eventJson), { installContext: runtime.contextAri }]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const [record] = runtime.invocations;
  if (record?.error) throw new Error(`the invocation failed: ${record.error}`);
  if (enabled && record?.queuePushes !== 1) throw new Error('the enabled event did not push its job');
  process.stdout.write(`cold-start-ms ${ms}\nload-ms ${loadMs}\n`);
  runtime.stop();
}

if (process.argv[2] === 'child') {
  const [, , , bundle, manifest, functionKey, event, enabled] = process.argv;
  child(bundle, manifest, functionKey, event, enabled === 'enabled').catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
