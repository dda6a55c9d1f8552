/**
 * Builds what the browser host serves, in memory: the host page's script, and each UI Kit resource
 * of manifest.yml bundled from the same entry files `forge deploy` builds.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { AppManifest } from '../runtime/manifest';

export interface BuiltAsset {
  contentType: string;
  body: Uint8Array;
}

const DEFINE = { 'process.env.NODE_ENV': '"production"', global: 'globalThis' };

export async function buildBrowserAssets(root: string, manifest: AppManifest): Promise<Map<string, BuiltAsset>> {
  const assets = new Map<string, BuiltAsset>();
  const add = (files: Array<{ path: string; contents: Uint8Array }>, prefix: string) => {
    for (const file of files) {
      const name = file.path.split('/').pop()!;
      assets.set(`${prefix}/${name}`, { contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript', body: file.contents });
    }
  };
  const resources = (manifest.resources ?? []).filter((r) => /\.(t|j)sx?$/.test(r.path));
  const [host, ...bundles] = await Promise.all([
    build({ entryPoints: { host: join(root, 'sandbox', 'browser', 'host.tsx') }, bundle: true, write: false, outdir: '/out', format: 'iife', minify: true, define: DEFINE, loader: { '.svg': 'dataurl', '.png': 'dataurl' }, logLevel: 'silent' }),
    ...resources.map((resource) =>
      build({ entryPoints: { [resource.key]: join(root, resource.path) }, bundle: true, write: false, outdir: '/out', format: 'iife', minify: true, define: DEFINE, logLevel: 'silent' }),
    ),
  ]);
  add(host.outputFiles, '/__host');
  for (const bundle of bundles) add(bundle.outputFiles, '/__host/resources');
  return assets;
}

export const HOST_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jira sandbox · AI Ops Ticket Enhancer</title>
<link rel="stylesheet" href="/__host/host.css">
<style>
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; color: #172B4D; background: #fff; font-size: 14px; }
  .sbx-top { background: #0C66E4; padding: 8px 24px; }
  .sbx-top a { color: #fff; text-decoration: none; font-weight: 500; }
  .sbx-top a:hover { text-decoration: underline; }
  .sbx-brand { font-size: 18px; font-weight: 700 !important; }
  .sbx-brand span { font-weight: 400; opacity: .8; }
  .sbx-user { width: 230px; }
  .sbx-main { max-width: 1280px; margin: 24px auto; padding: 0 24px; }
  .sbx-issue { display: grid; grid-template-columns: minmax(0, 1fr) 480px; gap: 32px; align-items: start; }
  .sbx-issue-panel { border: 1px solid #DCDFE4; border-radius: 8px; padding: 16px; background: #F7F8F9; }
  .sbx-issue-side { position: sticky; top: 16px; }
  .sbx-issues { border-collapse: collapse; width: 100%; }
  .sbx-issues td { border-bottom: 1px solid #DCDFE4; padding: 8px; }
  .sbx-button-link { background: #0C66E4; color: #fff !important; padding: 6px 12px; border-radius: 3px; text-decoration: none; font-weight: 500; }
  .sbx-code { font-family: SFMono-Medium, Menlo, Consolas, monospace; background: #F1F2F4; padding: 2px 4px; border-radius: 3px; font-size: 12px; word-break: break-all; }
  .sbx-code-block { background: #F1F2F4; padding: 8px; border-radius: 3px; overflow: auto; }
  .sbx-mention { background: #E9F2FF; color: #0055CC; border-radius: 12px; padding: 0 6px; }
  .sbx-table td, .sbx-table th { border: 1px solid #DCDFE4; padding: 4px 8px; }
  .sbx-adf p { margin: 0 0 8px; }
  .sbx-comment { border-top: 1px solid #DCDFE4; padding-top: 8px; }
  .sbx-unsupported { border: 2px dashed #C9372C; color: #AE2E24; padding: 8px; }
  .sbx-tab-panel { padding-top: 16px; width: 100%; }
  .sbx-frame { border: 0; width: 100%; display: block; }
  .sbx-frame-main { padding: 2px; }
  .sbx-context { border: 1px solid #DCDFE4; border-radius: 8px; background: #fff; }
  .sbx-context-head { display: flex; width: 100%; align-items: center; gap: 8px; padding: 10px 12px; background: none; border: 0; cursor: pointer; font: inherit; color: inherit; text-align: left; }
  .sbx-context-body { border-top: 1px solid #DCDFE4; padding: 12px; }
  .sbx-quick-add { display: flex; gap: 8px; align-items: center; }
</style>
</head>
<body><div id="root"></div><script src="/__host/host.js"></script></body>
</html>`;
