/**
 * `npm run bench`: what one enhanced issue costs on the sandbox runtime over its whole life
 * (delivery and result), per result mode: function invocations, KVS reads, writes and bytes
 * written, bytes sent to AI Ops, CPU time; what an unrelated comment costs; the time from the AI
 * Ops comment to the panel's refresh; and the backend bundle. Prints medians (and maxima) over
 * N issues per mode (default 30).
 */
import { bundleBackend } from '../../sandbox/platform-checks';
import type { InvocationRecord } from '../../sandbox/runtime/forge-runtime';
import { Harness } from '../support/harness';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

type Mode = 'comment' | 'callback' | 'poll';

interface Cost {
  invocations: number;
  kvsReads: number;
  kvsWrites: number;
  kvsOps: number;
  writeKiB: number;
  bytesSent: number;
  cpuMs: number;
}

function costOf(invocations: InvocationRecord[]): Cost {
  const sum = (f: (inv: InvocationRecord) => number) => invocations.reduce((acc, inv) => acc + f(inv), 0);
  return {
    invocations: invocations.length,
    kvsReads: sum((inv) => inv.kvs.reads),
    kvsWrites: sum((inv) => inv.kvs.writes),
    kvsOps: sum((inv) => inv.kvs.reads + inv.kvs.writes),
    writeKiB: sum((inv) => inv.kvs.writeBytes) / 1024,
    bytesSent: sum((inv) => inv.egressBytes),
    cpuMs: sum((inv) => inv.cpuMs),
  };
}

function printTable(title: string, rows: Array<[string, Cost[]]>) {
  process.stdout.write(`\n${title}\n`);
  const metrics = Object.keys(rows[0][1][0] ?? {}) as Array<keyof Cost>;
  process.stdout.write(`  ${''.padEnd(36)}${metrics.map((m) => m.padStart(12)).join('')}\n`);
  for (const [name, costs] of rows) {
    const cells = metrics.map((m) => {
      const med = median(costs.map((c) => c[m]));
      return (Number.isInteger(med) ? String(med) : med.toFixed(2)).padStart(12);
    });
    process.stdout.write(`  ${`${name} (median)`.padEnd(36)}${cells.join('')}\n`);
    const maxima = metrics.map((m) => {
      const max = Math.max(...costs.map((c) => c[m]));
      return (Number.isInteger(max) ? String(max) : max.toFixed(2)).padStart(12);
    });
    process.stdout.write(`  ${`${name} (max)`.padEnd(36)}${maxima.join('')}\n`);
  }
}

async function wholeLife(mode: Mode, n: number): Promise<{ costs: Cost[]; delivered: number; commentToPanelMs: number[] }> {
  const h = await new Harness({ timeScale: 1000, results: mode }).start();
  await h.updateSettings('settings:global', { resultMode: mode });
  // Warm-up: the first invocation loads the app and the SDKs.
  await h.createIssue({ summary: 'warm-up' });
  await h.settle();
  const costs: Cost[] = [];
  const commentToPanelMs: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const before = h.sandbox.runtime.invocations.length;
    let announcedAt = 0;
    const listener = (message: { payload: string }) => {
      if (message.payload.includes('completed')) announcedAt = Date.now();
    };
    h.sandbox.runtime.realtime.on('message', listener);
    await h.createIssue({ summary: `Bench issue ${i}: checkout crashes`, description: 'Steps: open the cart, press Pay. Expected: receipt. Actual: error 500.' });
    await h.settle();
    h.sandbox.runtime.realtime.off('message', listener);
    const mine = h.sandbox.runtime.invocations.slice(before);
    // From the platform handing the comment event to the app, to the message that refreshes open panels.
    const commentEvent = mine.find((inv) => inv.functionKey === 'on-comment-event');
    if (mode === 'comment' && commentEvent && announcedAt) commentToPanelMs.push(announcedAt - commentEvent.startedAt);
    costs.push(costOf(mine));
  }
  const delivered = h.runs().filter((run) => run.status === 'completed').length - 1;
  await h.stop();
  return { costs, delivered, commentToPanelMs };
}

async function unrelatedComments(n: number): Promise<Array<[string, Cost[]]>> {
  const h = await new Harness({ timeScale: 1000 }).start();
  const { key: enhanced } = await h.createIssue({ summary: 'enhanced' });
  await h.settle();
  const { key: never } = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'never sent' });
  await h.settle();
  const post = async (issueKey: string) => {
    const before = h.sandbox.runtime.invocations.length;
    await fetch(`${h.sandbox.url}/rest/api/3/issue/${issueKey}/comment`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
      body: JSON.stringify({ body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'A comment by a person' }] }] } }),
    });
    await h.settle();
    return costOf(h.sandbox.runtime.invocations.slice(before));
  };
  const onEnhanced: Cost[] = [];
  const onNever: Cost[] = [];
  for (let i = 0; i < n; i += 1) {
    onEnhanced.push(await post(enhanced));
    onNever.push(await post(never));
  }
  await h.stop();
  return [
    ['on an enhanced issue', onEnhanced],
    ['on an issue never sent', onNever],
  ];
}

async function main() {
  const n = Number(process.argv[2] ?? 30);
  const results: Array<[string, Cost[]]> = [];
  let commentToPanel: number[] = [];
  for (const mode of ['comment', 'callback', 'poll'] as const) {
    const life = await wholeLife(mode, n);
    results.push([mode, life.costs]);
    if (mode === 'comment') commentToPanel = life.commentToPanelMs;
    process.stdout.write(`${mode}: ${life.delivered} of ${n} issues completed\n`);
  }
  printTable('Whole life of one enhanced issue (trigger, delivery, result), per result mode', results);
  printTable('One comment by a person (not the AI Ops account)', await unrelatedComments(n));
  process.stdout.write(`\nComment event to panel refresh message: median ${median(commentToPanel).toFixed(1)} ms over ${commentToPanel.length} issues (sandbox; on a site, add the event's own delivery delay)\n`);
  const bundle = await bundleBackend();
  process.stdout.write(`backend bundle: ${bundle === undefined ? 'build failed' : `${(bundle.bytes / 1024).toFixed(0)} KiB as deployed, ${bundle.minifiedKiB.toFixed(0)} KiB minified`}\n`);
}

void main();
