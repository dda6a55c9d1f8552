/**
 * The sandbox's Jira reads JQL as Jira does: the documented grammar and precedence (AND binds
 * tighter than OR, NOT tighter than AND), Jira's words for malformed queries, values a user
 * cannot browse reading as values that do not exist, and `POST /rest/api/3/jql/parse` answering
 * the documented example as documented (fixtures/jql-parse-example.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JiraStandIn, SANDBOX_USERS } from '../../sandbox/jira';
import type { JiraRequest } from '../../sandbox/runtime/forge-runtime';

const example = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'jql-parse-example.json'), 'utf8')) as { queries: Array<{ query: string; errors?: string[]; warnings?: string[] }> };
const user = (name: string): JiraRequest['as'] => ({ kind: 'user', accountId: SANDBOX_USERS.find((u) => u.name === name)!.accountId });
const APP: JiraRequest['as'] = { kind: 'app' };

let jira: JiraStandIn;

async function call(as: JiraRequest['as'], method: string, path: string, body?: unknown) {
  const response = await jira.handle({ method, path, headers: {}, body: body === undefined ? undefined : JSON.stringify(body), as });
  return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as any) };
}

const search = async (as: JiraRequest['as'], jql: string) => call(as, 'GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&maxResults=100&fields=project`);
const keys = (answer: { body: any }) => (answer.body.issues as Array<{ key: string }>).map((i) => i.key).sort();

beforeEach(async () => {
  jira = new JiraStandIn(async () => undefined, () => 'http://jira.local');
  const create = (project: string, summary: string, extra: Record<string, unknown> = {}) =>
    call(APP, 'POST', '/rest/api/3/issue', { fields: { project: { key: project }, summary, issuetype: { name: 'Bug' }, ...extra } });
  await create('DEMO', 'Checkout fails', { labels: ['customer'] });
  await create('DEMO', 'Search is slow', { labels: ['no-ai'] });
  await create('FIN', 'Quarter close');
  await call(APP, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'SUP' }, summary: 'VPN down', issuetype: { name: 'Incident' } } });
});

describe('JQL grammar and precedence', () => {
  it('binds AND tighter than OR, so a typed ") OR (" escapes a scope that merely wraps it', async () => {
    // The injection: `project = 10000 AND (<typed>)` with typed `key = DEMO-1) OR (project = FIN`.
    expect(keys(await search(APP, 'project = 10000 AND (key = DEMO-1) OR (project = FIN)'))).toEqual(['DEMO-1', 'FIN-1']);
    expect(keys(await search(APP, 'project = 10000 AND (key = DEMO-1 OR project = FIN)'))).toEqual(['DEMO-1']);
  });

  it('reads NOT, IN, NOT IN, IS EMPTY, parentheses and the app\'s property alias', async () => {
    expect(keys(await search(APP, 'NOT labels = no-ai AND project = DEMO'))).toEqual(['DEMO-1']);
    expect(keys(await search(APP, 'project IN (DEMO, SUP) AND labels NOT IN (customer)'))).toEqual(['DEMO-2']);
    expect(keys(await search(APP, '(statusCategory != Done AND ticketEnhancerStatus IS EMPTY) AND issuetype in (Bug) AND project = DEMO'))).toEqual(['DEMO-1', 'DEMO-2']);
    expect(keys(await search(APP, 'summary ~ "slow" OR summary ~ "VPN"'))).toEqual(['DEMO-2', 'SUP-1']);
  });

  it('refuses malformed queries with Jira\'s words', async () => {
    expect((await search(APP, 'key = DEMO-1) OR (project = FIN')).body.errorMessages[0]).toBe("Error in the JQL Query: Expecting either 'OR' or 'AND' but got ')'. (line 1, character 13)");
    expect((await search(APP, 'labels IN (customer')).body.errorMessages[0]).toBe("Error in the JQL Query: Expecting ')' before the end of the query.");
    expect((await search(APP, '(statusCategory != Done')).status).toBe(400);
    expect((await search(APP, 'universe = 42')).body.errorMessages[0]).toBe("Field 'universe' does not exist or you do not have permission to view it.");
  });

  it('treats a project the user cannot browse as one that does not exist, and never lists its issues', async () => {
    expect((await search(user('lead'), 'project = FIN')).body.errorMessages[0]).toBe("The value 'FIN' does not exist for the field 'project'.");
    expect(keys(await search(user('lead'), 'summary ~ "close" OR project = DEMO'))).toEqual(['DEMO-1', 'DEMO-2']);
    expect(keys(await search(user('admin'), 'project = FIN'))).toEqual(['FIN-1']);
    const counted = await call(user('lead'), 'POST', '/rest/api/3/search/approximate-count', { jql: 'summary ~ "close"' });
    expect(counted.body).toEqual({ count: 0 });
  });
});

describe('POST /rest/api/3/jql/parse', () => {
  it('answers the documented example as documented', async () => {
    const answer = await call(user('admin'), 'POST', '/rest/api/3/jql/parse?validation=strict', { queries: example.queries.map((q) => q.query) });
    expect(answer.status).toBe(200);
    for (const [i, expected] of example.queries.entries()) {
      const got = answer.body.queries[i];
      expect(got.query).toBe(expected.query);
      if (expected.errors) expect(got.errors).toEqual(expected.errors);
      if (expected.warnings) expect(got.warnings).toEqual(expected.warnings);
    }
  });

  it('gives the structure of a valid query, with AND nested under OR by precedence', async () => {
    const answer = await call(user('lead'), 'POST', '/rest/api/3/jql/parse?validation=strict', { queries: ['labels = z OR labels = x AND labels = y'] });
    expect(answer.body.queries[0].structure.where).toEqual({
      operator: 'or',
      clauses: [
        { field: { name: 'labels' }, operator: '=', operand: { value: 'z' } },
        { operator: 'and', clauses: [{ field: { name: 'labels' }, operator: '=', operand: { value: 'x' } }, { field: { name: 'labels' }, operator: '=', operand: { value: 'y' } }] },
      ],
    });
  });

  it('needs the validation parameter and at least one query', async () => {
    expect((await call(APP, 'POST', '/rest/api/3/jql/parse', { queries: ['labels = x'] })).status).toBe(400);
    expect((await call(APP, 'POST', '/rest/api/3/jql/parse?validation=strict', { queries: [] })).status).toBe(400);
  });
});

describe('moving an issue (POST /rest/api/3/bulk/issues/move)', () => {
  it('gives it a key in the target project, keeps its id, and still finds it by its old key', async () => {
    const before = await call(APP, 'GET', '/rest/api/3/issue/DEMO-1?fields=project');
    const moved = await call(user('admin'), 'POST', '/rest/api/3/bulk/issues/move', { targetToSourcesMapping: { 'SUP,10101': { issueIdsOrKeys: ['DEMO-1'] } } });
    expect(moved.status).toBe(201);
    const after = await call(APP, 'GET', '/rest/api/3/issue/DEMO-1?fields=project,issuetype');
    expect(after.body).toMatchObject({ id: before.body.id, key: 'SUP-2', fields: { project: { key: 'SUP' }, issuetype: { id: '10101' } } });
  });

  it('needs MOVE_ISSUES in the source and CREATE_ISSUES in the target', async () => {
    expect((await call(user('viewer'), 'POST', '/rest/api/3/bulk/issues/move', { targetToSourcesMapping: { 'SUP,10101': { issueIdsOrKeys: ['DEMO-1'] } } })).status).toBe(400);
    expect((await call(user('lead'), 'POST', '/rest/api/3/bulk/issues/move', { targetToSourcesMapping: { 'FIN,10004': { issueIdsOrKeys: ['DEMO-1'] } } })).status).toBe(400);
  });
});
