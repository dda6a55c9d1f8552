/** `npm start`: the sandbox on 127.0.0.1 with DEMO enabled and the embedded AI Ops, or a real one. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inEnglish } from '../src/core/english';
import { secretProblem, urlProblem } from '../src/core/settings';
import { PROJECT_ROOT, Sandbox } from './sandbox';
import type { LicenceState } from './runtime/forge-runtime';

const USAGE = `Usage: npm start -- [options]
  --port N            HTTP port (default 8080)
  --state FILE        where the sandbox keeps its state (default .sandbox/state.json)
  --fresh             forget the saved state: start with the embedded AI Ops connected and DEMO
                      enabled, no issues and no deliveries
  --time-scale N      run the site N times faster (default 1): platform waits (queue delays, retries,
                      the five-minute check) and the clock the app reads, so its deadlines keep pace
  --results MODE      comment (default), callback or poll: how the embedded AI Ops returns results
                      (comment: its agent comments on the issue as "AI Ops Bot", as the platform does today)
  --aiops-url URL     use this AI Ops API instead of the embedded one (egress to it is approved at start)
  --agent-id UUID     its agent id
  --tenant-id ID      its tenant id
  --secret BASE64     the agent's HMAC secret (base64, as the platform shows it)
  --licence STATE     none (default: no licence information, as in development), active,
                      evaluation or inactive (as a production site reports a paid app's licence)
  --help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8080' },
        state: { type: 'string', default: join(PROJECT_ROOT, '.sandbox', 'state.json') },
        fresh: { type: 'boolean', default: false },
        'time-scale': { type: 'string', default: '1' },
        results: { type: 'string', default: 'comment' },
        'aiops-url': { type: 'string' },
        'agent-id': { type: 'string' },
        'tenant-id': { type: 'string' },
        secret: { type: 'string' },
        licence: { type: 'string', default: 'none' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}"`);
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0)) fail(`--time-scale must be a positive number, not "${values['time-scale']}"`);
  const licence = values.licence;
  if (!['none', 'active', 'evaluation', 'inactive'].includes(licence)) fail(`--licence must be none, active, evaluation or inactive, not "${licence}"`);
  const results = values.results;
  if (results !== 'comment' && results !== 'callback' && results !== 'poll') fail(`--results must be comment, callback or poll, not "${values.results}"`);

  let aiops;
  const external = [values['aiops-url'], values['agent-id'], values['tenant-id'], values.secret];
  if (external.some((v) => v !== undefined)) {
    if (external.some((v) => v === undefined)) fail('--aiops-url, --agent-id, --tenant-id and --secret go together');
    const problem = urlProblem(values['aiops-url']!, { allowLoopback: true });
    if (problem) fail(`--aiops-url ${inEnglish(problem)}`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values['agent-id']!)) fail('--agent-id must be a UUID');
    const secretIssue = secretProblem(values.secret!, 'base64');
    if (secretIssue) fail(`--secret: ${inEnglish(secretIssue)}`);
    aiops = { url: values['aiops-url']!.replace(/\/+$/, ''), agentId: values['agent-id']!, tenantId: values['tenant-id']!, secret: values.secret! };
  }

  const sandbox = new Sandbox({
    port,
    statePath: values.state,
    fresh: values.fresh,
    timeScale,
    // Faster platform waits come with a faster clock, so the app's own deadlines keep pace.
    virtualClock: timeScale !== 1,
    results,
    schedules: true,
    aiops,
    browser: true,
    licence: licence as LicenceState,
    log: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  try {
    await sandbox.start();
  } catch (error) {
    const code = (error as { code?: string }).code;
    fail(code === 'EADDRINUSE' ? `port ${port} is in use: choose another with --port` : `the sandbox could not start: ${String(error)}`);
  }
  process.stdout.write(`${sandbox.banner()}\n\nState: ${values.state}${values.fresh ? ' (started fresh)' : ''}. Ctrl-C stops.\n`);
  const shutdown = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
