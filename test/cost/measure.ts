/**
 * Measures what each kind of site event costs the app, on the sandbox runtime: invocations, the
 * platform calls each one makes (which set its duration), KVS operations and the billed read and
 * write volume. `npm run cost` turns these into monthly figures; run on its own it prints JSON.
 */
import { invocationTotals, type InvocationRecord } from '../../sandbox/runtime/forge-runtime';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../../sandbox/sandbox';
import { Harness } from '../support/harness';

export type ResultMode = 'comment' | 'callback' | 'poll';

/** What one event of a kind costs, summed over the invocations it causes. */
export interface EventCost {
  invocations: number;
  kvsReads: number;
  kvsWrites: number;
  readBytes: number;
  writeBytes: number;
  jiraRequests: number;
  egressRequests: number;
  queuePushes: number;
  /** Queue events pushed (the queue takes 500 a minute per installation). */
  queueEvents: number;
  /** Jira points the app's REST calls spent (docs "Rate limiting", Jira Cloud platform; sandbox/jira-limits.ts). */
  jiraPoints: number;
}

export interface UnitCosts {
  /** An issue created in an enabled project, over the run's whole life, per result mode. */
  enhanced: Record<ResultMode, EventCost>;
  createdNotEnabled: EventCost;
  /** An update of any field but summary and description, in any project. */
  otherUpdate: EventCost;
  /** A summary or description edit in a project that is not enabled (or has updates off). */
  contentEditNotSent: EventCost;
  /** A comment by a person on an issue with no open run (the manifest's filter drops it). */
  commentByPerson: EventCost;
  /** A comment by a person while the issue's newest run waits for its result. */
  commentWhileRunOpen: EventCost;
  /** One run of the scheduled check on a quiet site. */
  scheduledCheck: EventCost;
}

/** The billed figures of some invocations (read volume as the sandbox counts it: an empty read is 1 KB). */
function sum(records: InvocationRecord[], jiraPoints: number): EventCost {
  const { invocations, kvsReads, kvsWrites, readBytes, writeBytes, jiraRequests, egressRequests, queuePushes, queueEvents } = invocationTotals(records);
  return { invocations, kvsReads, kvsWrites, readBytes, writeBytes, jiraRequests, egressRequests, queuePushes, queueEvents, jiraPoints };
}

function average(costs: EventCost[]): EventCost {
  const keys = Object.keys(costs[0]) as Array<keyof EventCost>;
  return Object.fromEntries(keys.map((k) => [k, costs.reduce((n, c) => n + c[k], 0) / costs.length])) as unknown as EventCost;
}

async function measure(h: Harness, action: () => Promise<unknown>): Promise<EventCost> {
  const before = h.sandbox.runtime.invocations.length;
  const pointsBefore = h.sandbox.jiraLimits.total.points;
  await action();
  await h.settle();
  return sum(h.sandbox.runtime.invocations.slice(before), h.sandbox.jiraLimits.total.points - pointsBefore);
}

async function edit(h: Harness, key: string, fields: Record<string, unknown>): Promise<void> {
  await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
    body: JSON.stringify({ fields }),
  });
}

async function comment(h: Harness, key: string): Promise<void> {
  await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}/comment`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
    body: JSON.stringify({ body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Looking into it.' }] }] } }),
  });
}

export async function measureUnitCosts(samples = 5): Promise<UnitCosts> {
  const enhanced = {} as Record<ResultMode, EventCost>;
  for (const mode of ['comment', 'callback', 'poll'] as const) {
    const h = await new Harness({ results: mode }).start();
    await h.updateSettings('settings:global', { resultMode: mode });
    await h.createIssue({ summary: 'warm-up' });
    await h.settle();
    const lives: EventCost[] = [];
    for (let i = 0; i < samples; i += 1) lives.push(await measure(h, () => h.createIssue({ summary: `Checkout crashes ${i}`, description: 'Steps: open the cart, press Pay. Expected: receipt. Actual: error 500.' })));
    enhanced[mode] = average(lives);
    await h.stop();
  }

  const h = await new Harness().start();
  const { key } = await h.createIssue({ summary: 'enhanced' });
  await h.settle();
  const { key: elsewhere } = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'elsewhere' });
  await h.settle();
  const created: EventCost[] = [];
  const other: EventCost[] = [];
  const content: EventCost[] = [];
  const comments: EventCost[] = [];
  for (let i = 0; i < samples; i += 1) {
    created.push(await measure(h, () => h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: `Not enabled ${i}` })));
    other.push(await measure(h, () => edit(h, key, { labels: [`label-${i}`] })));
    content.push(await measure(h, () => edit(h, elsewhere, { summary: `Edited ${i}` })));
    comments.push(await measure(h, () => comment(h, key)));
  }
  // A check between the hourly ones, as 11 of every 12 are (the hourly work, a few reads more, is not priced here).
  if (Date.now() % 3_600_000 < 6 * 60_000) h.sandbox.runtime.advanceClock(6 * 60_000);
  const check = await measure(h, () => h.sandbox.runtime.runScheduledTrigger('run-sweep'));
  // An agent that has not answered yet: the run stays open while people comment.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
  const { key: waiting } = await h.createIssue({ summary: 'waiting for its analysis' });
  await h.settle();
  const whileOpen: EventCost[] = [];
  for (let i = 0; i < samples; i += 1) whileOpen.push(await measure(h, () => comment(h, waiting)));
  await h.stop();
  return {
    enhanced,
    createdNotEnabled: average(created),
    otherUpdate: average(other),
    contentEditNotSent: average(content),
    commentByPerson: average(comments),
    commentWhileRunOpen: average(whileOpen),
    scheduledCheck: check,
  };
}

if (require.main === module) {
  measureUnitCosts(Number(process.argv[2] ?? 5))
    .then((costs) => process.stdout.write(`${JSON.stringify(costs, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
