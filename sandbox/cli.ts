/** `npm start`: the sandbox on 127.0.0.1 with DEMO enabled and the embedded AI Ops, or a real one. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inEnglish } from '../src/core/english';
import { markerInstruction } from '../src/core/run-marker';
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
  --event-delay S     product events reach the app up to S seconds after the action (uniformly;
                      the platform documents up to 180); default 0, at once
  --jira-points N     the app's hourly Jira points quota (default 65000, Tier 1's global pool, which
                      on a real site every installation of the app shares)
  --licence STATE     none (default: no licence information, as in development), active,
                      evaluation or inactive (as a production site reports a paid app's licence)
  How the embedded AI Ops behaves (as the deployed platform does, AIOPS-CONTRACT.md):
  --aiops-account WHO  bot (default: its own "AI Ops Bot" account) or person (Sam Support's
                      account, which also comments by hand)
  --aiops-marker      the agent's instructions end its comment with the run marker line, and the
                      app expects it
  --aiops-behaviour B duplicate (comments twice: a retry after its comment), budget or no-tools (the
                      run fails, no comment), claimed (says it commented, did not), long (an analysis
                      Jira refuses), internal (internal comments on service requests; default public);
                      repeat the option to combine
  --aiops-no-suggestions  the agent's analysis has no suggestions block: the panel shows the
                      sections and the issues it names, and offers no field to apply
  --aiops-lookup L    open (default: the history and execution routes answer with X-Tenant-ID) or
                      login (they answer 401); the app's lookup setting is turned on either way
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
        'event-delay': { type: 'string', default: '0' },
        'jira-points': { type: 'string', default: '65000' },
        results: { type: 'string', default: 'comment' },
        'aiops-url': { type: 'string' },
        'agent-id': { type: 'string' },
        'tenant-id': { type: 'string' },
        secret: { type: 'string' },
        licence: { type: 'string', default: 'none' },
        'aiops-account': { type: 'string', default: 'bot' },
        'aiops-marker': { type: 'boolean', default: false },
        'aiops-behaviour': { type: 'string', multiple: true, default: [] },
        'aiops-lookup': { type: 'string' },
        'aiops-no-suggestions': { type: 'boolean', default: false },
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
  const eventDelay = Number(values['event-delay']);
  if (!(eventDelay >= 0 && eventDelay <= 900)) fail(`--event-delay must be a number of seconds from 0 to 900, not "${values['event-delay']}"`);
  const jiraPoints = Number(values['jira-points']);
  if (!(Number.isInteger(jiraPoints) && jiraPoints > 0)) fail(`--jira-points must be a whole number of points above 0, not "${values['jira-points']}"`);
  const licence = values.licence;
  if (!['none', 'active', 'evaluation', 'inactive'].includes(licence)) fail(`--licence must be none, active, evaluation or inactive, not "${licence}"`);
  const results = values.results;
  if (results !== 'comment' && results !== 'callback' && results !== 'poll') fail(`--results must be comment, callback or poll, not "${values.results}"`);

  const account = values['aiops-account'];
  if (account !== 'bot' && account !== 'person') fail(`--aiops-account must be bot or person, not "${account}"`);
  const lookup = values['aiops-lookup'];
  if (lookup !== undefined && lookup !== 'open' && lookup !== 'login') fail(`--aiops-lookup must be open or login, not "${lookup}"`);
  const BEHAVIOURS = ['duplicate', 'budget', 'no-tools', 'claimed', 'long', 'internal'];
  const behaviours = values['aiops-behaviour'] ?? [];
  const unknown = behaviours.filter((b) => !BEHAVIOURS.includes(b));
  if (unknown.length > 0) fail(`--aiops-behaviour must be one of ${BEHAVIOURS.join(', ')}, not "${unknown.join(', ')}"`);
  const silent = behaviours.filter((b) => b === 'budget' || b === 'no-tools' || b === 'claimed');
  if (silent.length > 1) fail(`--aiops-behaviour: choose one of budget, no-tools and claimed, not ${silent.join(' and ')}`);
  const embedded = {
    account: account as 'bot' | 'person',
    ...(values['aiops-marker'] ? { instructions: `Analyse the ticket and post your analysis as a comment with jira_add_comment. ${markerInstruction(false)}` } : {}),
    behaviour: {
      ...(behaviours.includes('duplicate') ? { duplicateComment: true } : {}),
      ...(silent[0] ? { silentFailure: silent[0] as 'budget' | 'no-tools' | 'claimed' } : {}),
      ...(behaviours.includes('long') ? { extraAnalysisChars: 40_000 } : {}),
      ...(behaviours.includes('internal') ? { commentVisibility: 'internal' as const } : {}),
    },
    lookupRequiresLogin: lookup === 'login',
    ...(values['aiops-no-suggestions'] ? { suggestionsBlock: false } : {}),
    appSettings: { ...(values['aiops-marker'] ? { runMarker: true } : {}), ...(lookup ? { aiopsLookup: true } : {}) },
  };

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
    eventDelaySeconds: eventDelay,
    jiraLimits: { pointsPerHour: jiraPoints },
    // Faster platform waits come with a faster clock, so the app's own deadlines keep pace.
    virtualClock: timeScale !== 1,
    results,
    schedules: true,
    aiops,
    browser: true,
    licence: licence as LicenceState,
    embedded,
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
