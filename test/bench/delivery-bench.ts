/**
 * Cost of one delivered issue on the sandbox runtime: function invocations, KVS reads and writes,
 * bytes sent to AI Ops and CPU time, for the trigger and the consumer; plus the backend bundle
 * size. Prints medians over N issues (default 30). Targets: 2 invocations and at most 6 KVS
 * operations per delivered issue; a trigger that calls nothing but KVS, the queue and Jira.
 */
import { bundleBackend } from '../../sandbox/platform-checks';
import { Harness } from '../support/harness';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const n = Number(process.argv[2] ?? 30);
  const h = await new Harness({ timeScale: 1000 }).start();
  // Warm-up: the first invocation loads the app and the SDKs.
  await h.createIssue({ summary: 'warm-up' });
  await h.settle();
  const perIssue: Array<Record<string, number>> = [];
  for (let i = 0; i < n; i += 1) {
    const before = h.sandbox.runtime.invocations.length;
    await h.createIssue({ summary: `Bench issue ${i}: checkout crashes`, description: 'Steps: open the cart, press Pay. Expected: receipt. Actual: error 500.' });
    await h.settle();
    const mine = h.sandbox.runtime.invocations.slice(before).filter((inv) => inv.functionKey !== 'receive-callback');
    const trigger = mine.filter((inv) => inv.functionKey === 'on-issue-event');
    const consumer = mine.filter((inv) => inv.functionKey === 'deliver-issue');
    const sum = (list: typeof mine, f: (inv: (typeof mine)[number]) => number) => list.reduce((acc, inv) => acc + f(inv), 0);
    perIssue.push({
      invocations: mine.length,
      kvsReads: sum(mine, (inv) => inv.kvs.reads),
      kvsWrites: sum(mine, (inv) => inv.kvs.writes),
      kvsOps: sum(mine, (inv) => inv.kvs.reads + inv.kvs.writes),
      bytesSent: sum(mine, (inv) => inv.egressBytes),
      triggerEgress: sum(trigger, (inv) => inv.egressRequests),
      triggerJira: sum(trigger, (inv) => inv.jiraRequests),
      triggerCpuMs: sum(trigger, (inv) => inv.cpuMs),
      consumerCpuMs: sum(consumer, (inv) => inv.cpuMs),
      consumerJira: sum(consumer, (inv) => inv.jiraRequests),
    });
  }
  const callbacks = h.sandbox.runtime.invocations.filter((inv) => inv.functionKey === 'receive-callback');
  await h.stop();
  const delivered = h.webhookRequests().filter((r) => r.status === 202).length - 1;
  const bundleBytes = await bundleBackend();

  const rows = Object.keys(perIssue[0]).map((metric) => [metric, median(perIssue.map((p) => p[metric])), Math.max(...perIssue.map((p) => p[metric]))]);
  process.stdout.write(`delivered issues: ${delivered} of ${n} (medians and maxima per delivered issue)\n`);
  for (const [metric, med, max] of rows) process.stdout.write(`  ${String(metric).padEnd(16)} median ${Number(med).toFixed(2).padStart(9)}   max ${Number(max).toFixed(2).padStart(9)}\n`);
  if (callbacks.length > 0) {
    process.stdout.write(`callback web trigger: ${callbacks.length} invocations, median ${median(callbacks.map((c) => c.kvs.reads + c.kvs.writes))} KVS ops, ${median(callbacks.map((c) => c.cpuMs)).toFixed(2)} CPU ms each\n`);
  }
  process.stdout.write(`backend bundle: ${bundleBytes === undefined ? 'build failed' : `${(bundleBytes / 1024).toFixed(0)} KiB`}\n`);
  const med = (metric: string) => median(perIssue.map((p) => p[metric]));
  const ok = med('invocations') === 2 && Math.max(...perIssue.map((p) => p.kvsOps)) <= 6 && med('triggerEgress') === 0;
  process.stdout.write(ok ? 'targets met: 2 invocations, <= 6 KVS operations, no egress from the trigger\n' : 'TARGETS MISSED\n');
  process.exit(ok ? 0 : 1);
}

void main();
