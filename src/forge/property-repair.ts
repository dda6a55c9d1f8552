/**
 * Issue properties left behind their run: a write Jira refused for one of its rate limits (after
 * the retries `requestJira` makes), or a 5xx. The run is stored either way; a small key per issue
 * remembers that its property is stale, and the scheduled check writes it again from the issue's
 * newest run, so JQL, the issue context and the automation rules that read the property catch up
 * within minutes instead of showing an old status for good.
 */
import { kvs, WhereConditions } from '@forge/kvs';

const PREFIX = 'property-behind:';
/** Kept a day: a property still behind after a day of checks has its run's own later writes to mend it. */
const KEEP = { ttl: { value: 1, unit: 'DAYS' as const } };

export async function notePropertyBehind(issueId: string): Promise<void> {
  await kvs.set(`${PREFIX}${issueId}`, { at: new Date().toISOString() }, KEEP);
}

/** Issues whose property is behind, oldest keys first by key order (at most `limit`). */
export async function issuesBehind(limit = 20): Promise<string[]> {
  const page = await kvs.query().where('key', WhereConditions.beginsWith(PREFIX)).limit(limit).getMany();
  return page.results.map((row) => row.key.slice(PREFIX.length));
}

export async function propertyCaughtUp(issueId: string): Promise<void> {
  await kvs.delete(`${PREFIX}${issueId}`);
}
