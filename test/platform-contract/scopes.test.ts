/**
 * Manifest hygiene: the Forge lint engine, reading the published Jira OpenAPI definitions of every
 * endpoint (sandbox/forge-checks/jira-openapi.json), finds each Jira call and the scopes it needs.
 * The app's own sources pass; a call the manifest's scopes do not cover fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { appSourceFiles, lintFiles } from '../../sandbox/platform-checks';

const manifest = parseYaml(readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8'));
const definitions = JSON.parse(readFileSync(join(__dirname, '..', '..', 'sandbox', 'forge-checks', 'jira-openapi.json'), 'utf8'));

it('reads the whole published Jira API, not a list of the endpoints the app happens to call', () => {
  const operations = Object.values(definitions.paths as Record<string, object>).reduce<number>((n, methods) => n + Object.keys(methods).length, 0);
  expect(operations).toBeGreaterThan(500);
  expect(definitions.paths['/rest/api/3/user'].get['x-atlassian-oauth2-scopes']).toContainEqual(expect.objectContaining({ state: 'Current', scopes: ['read:jira-user'] }));
});

it('passes the app with its three scopes, and refuses a Jira call they do not cover', async () => {
  expect(manifest.permissions.scopes).toEqual(['read:jira-work', 'write:jira-work', 'storage:app']);
  const app = await lintFiles(appSourceFiles(), manifest);
  expect(app.errors).toEqual([]);
  const probe = await lintFiles(['test/platform-contract/scope-probe/reads-users.ts'], manifest);
  expect(probe.errors).toEqual([expect.stringContaining('GET /rest/api/3/user requires "read:jira-user" scope')]);
}, 120_000);
