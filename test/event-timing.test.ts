/**
 * Product events as the platform delivers them: up to 3 minutes after the action (docs
 * "manifest-reference/modules/trigger", Event delivery delay), filtered with property values a few
 * seconds old (docs "events-reference/product_events", Data freshness). A result comment that the
 * filter drops because the issue property it read was not yet written is found by the scheduled
 * check minutes later, not at the run's 30-minute deadline.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;
afterEach(() => h?.stop());

it('finds a result comment the event filter dropped within minutes, not at the deadline', async () => {
  // Real time: the filter's five seconds of staleness are five seconds here.
  h = await new Harness({ timeScale: 1 }).start();
  // The agent answers at once: its comment comes within the filter's few seconds of staleness.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', workMs: 0 });
  const { key } = await h.createIssue();
  await h.settle();
  const run = () => h.runs().find((r) => r.issueKey === key)!;
  expect(h.sandbox.jira.issue(key)!.comments).toHaveLength(1);
  expect(run().status).toBe('accepted');
  // The next scheduled check, a few minutes on, looks at the issue's comments once.
  h.sandbox.runtime.advanceClock(4 * 60_000);
  await h.sweep();
  expect(run()).toMatchObject({ status: 'completed', result: { kind: 'comment' } });
});
