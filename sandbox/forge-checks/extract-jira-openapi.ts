/**
 * Writes sandbox/forge-checks/jira-openapi.json from Atlassian's published Jira Cloud platform
 * OpenAPI (REST v3, https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json): every
 * path and method with its OAuth 2.0 scopes (`x-atlassian-oauth2-scopes`, or `security` where an
 * operation has none) and whether it is deprecated; descriptions and schemas are left out. The
 * offline lint (`npm run check:forge`) reads it as the real Jira definitions, so a call to any Jira
 * endpoint whose scopes the manifest lacks fails `npm test`.
 *
 * Usage: tsx sandbox/forge-checks/extract-jira-openapi.ts <swagger-v3.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  'x-atlassian-oauth2-scopes'?: Array<{ scheme?: string; state?: string; scopes?: string[] }>;
  security?: unknown;
  deprecated?: boolean;
}

function main(): void {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('Usage: tsx sandbox/forge-checks/extract-jira-openapi.ts <swagger-v3.json>\n');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(source, 'utf8')) as { openapi?: string; info?: { version?: string }; paths: Record<string, Record<string, Operation>> };
  const paths: Record<string, Record<string, Operation>> = {};
  let operations = 0;
  for (const path of Object.keys(spec.paths).sort()) {
    for (const method of METHODS) {
      const op = spec.paths[path][method];
      if (!op) continue;
      const scopes = op['x-atlassian-oauth2-scopes'];
      paths[path] ??= {};
      paths[path][method] = {
        ...(scopes ? { 'x-atlassian-oauth2-scopes': scopes.map((s) => ({ scheme: s.scheme, state: s.state, scopes: s.scopes })) } : op.security !== undefined ? { security: op.security } : {}),
        ...(op.deprecated ? { deprecated: true } : {}),
      };
      operations += 1;
    }
  }
  const out = {
    openapi: spec.openapi ?? '3.0.1',
    info: { title: 'Jira Cloud platform REST API v3: every path and method with its OAuth 2.0 scopes, from the published OpenAPI', version: spec.info?.version ?? 'unknown' },
    paths,
  };
  const target = join(__dirname, 'jira-openapi.json');
  writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`${operations} operations on ${Object.keys(paths).length} paths written to ${target}\n`);
}

main();
