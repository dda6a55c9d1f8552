/** Starts the sandbox for a test and offers the few actions a test needs, over the real protocols. */
import { execFileSync } from 'node:child_process';
import { Sandbox, type SandboxOptions } from '../../sandbox/sandbox';

export class Harness {
  readonly sandbox: Sandbox;

  constructor(options: SandboxOptions = {}) {
    this.sandbox = new Sandbox({ timeScale: 1000, ...options });
  }

  async start(): Promise<this> {
    await this.sandbox.start();
    return this;
  }

  stop(): Promise<void> {
    return this.sandbox.stop();
  }

  get aiops() {
    return this.sandbox.aiops!;
  }

  /** POST /rest/api/3/issue as a sandbox user, the way a person or Automation would. */
  async createIssue(fields: Record<string, unknown> = {}, as = 'agent'): Promise<{ id: string; key: string }> {
    const response = await fetch(`${this.sandbox.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': as },
      body: JSON.stringify({ fields: { project: { key: 'DEMO' }, summary: 'Checkout page crashes on submit', issuetype: { name: 'Bug' }, ...fields } }),
    });
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string; key: string };
  }

  /** Comments on an issue through Jira's REST API as `as` (one ADF paragraph each), waits for what follows, and answers the comment id. */
  async comment(issueKey: string, as: string, ...paragraphs: string[]): Promise<string> {
    const response = await fetch(`${this.sandbox.url}/rest/api/3/issue/${issueKey}/comment`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': as },
      body: JSON.stringify({ body: adfParagraphs(...paragraphs) }),
    });
    if (response.status !== 201) throw new Error(`comment failed: ${response.status} ${await response.text()}`);
    await this.settle();
    return ((await response.json()) as { id: string }).id;
  }

  /** Waits until every product event, queued delivery and retry has run, and the AI Ops agents have answered. */
  async settle(): Promise<void> {
    for (;;) {
      await this.sandbox.jira.settled();
      await this.sandbox.runtime.idle();
      if (!this.sandbox.aiops?.busy) return;
      await this.sandbox.aiops.idle();
    }
  }

  /** Runs the scheduled check once, as the platform does every five minutes, and waits for what it queued. */
  async sweep(): Promise<void> {
    await this.sandbox.runtime.runScheduledTrigger('run-sweep');
    await this.settle();
  }

  async updateSettings(key: string, patch: Record<string, unknown>): Promise<void> {
    const current = (this.sandbox.kvs.peek(key) as Record<string, unknown> | undefined) ?? {};
    await this.sandbox.kvs.handle('/api/v1/set', { key, value: { ...current, ...patch } });
    // Written behind the app's back, as an admin page would not: the app rebuilds its site snapshot.
    if (key.startsWith('settings:')) await this.sandbox.kvs.handle('/api/v1/delete', { key: 'settings:site' });
  }

  async setSecret(value: string): Promise<void> {
    await this.sandbox.kvs.handle('/api/v1/secret/set', { key: 'secret:global:current', value });
  }

  runs(): Array<Record<string, any>> {
    return this.sandbox.runs() as Array<Record<string, any>>;
  }

  webhookRequests() {
    return this.aiops.received;
  }
}

/**
 * The AI Ops server's check, written independently in Python exactly as the platform runs it:
 * hmac.new(base64.b64decode(secret), raw_body, sha256), compared in constant time.
 */
export function pythonAcceptsSignature(rawBody: string, header: string, secret: string): boolean {
  const script = [
    'import base64, hashlib, hmac, sys',
    'body = sys.stdin.buffer.read()',
    'key = base64.b64decode(sys.argv[1])',
    'expected = hmac.new(key, body, hashlib.sha256).hexdigest()',
    'given = sys.argv[2]',
    'given = given[len("sha256="):] if given.startswith("sha256=") else given',
    'print("ok" if hmac.compare_digest(expected, given) else "bad")',
  ].join('\n');
  return execFileSync('python3', ['-c', script, secret, header], { input: Buffer.from(rawBody, 'utf8') }).toString().trim() === 'ok';
}

/** Standard Webhooks check, also in Python: base64 HMAC of "{id}.{timestamp}.{body}". */
export function pythonAcceptsStandardWebhook(rawBody: string, headers: Record<string, string>, secret: string): boolean {
  const script = [
    'import base64, hashlib, hmac, sys',
    'body = sys.stdin.buffer.read()',
    'key = base64.b64decode(sys.argv[1])',
    'signed = sys.argv[2].encode() + b"." + sys.argv[3].encode() + b"." + body',
    'expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()',
    'sigs = [s[3:] for s in sys.argv[4].split(" ") if s.startswith("v1,")]',
    'print("ok" if any(hmac.compare_digest(expected, s) for s in sigs) else "bad")',
  ].join('\n');
  return (
    execFileSync('python3', ['-c', script, secret, headers['webhook-id'], headers['webhook-timestamp'], headers['webhook-signature']], { input: Buffer.from(rawBody, 'utf8') })
      .toString()
      .trim() === 'ok'
  );
}

/** An ADF document of one paragraph per text. */
export const adfParagraphs = (...paragraphs: string[]) => ({ type: 'doc', version: 1, content: paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })) });

/** The wall clock, whatever the sandbox's clock reads. */
export const realNow = () => (globalThis as { __sandboxRealDateNow__?: () => number }).__sandboxRealDateNow__!();

/** Waits (by the wall clock, polling every `everyMs`) until `condition` holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000, everyMs = 20): Promise<void> {
  const start = realNow();
  while (!condition()) {
    if (realNow() - start > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s of real time`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
