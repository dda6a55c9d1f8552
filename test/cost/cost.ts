/**
 * `npm run cost`: a monthly cost table per site profile (test/cost/site-profiles.yml). What each
 * kind of event costs the app is measured on the sandbox as the command runs (test/cost/measure.ts);
 * the figures for the app before the cost work come from the same file. Prints invocations,
 * GB-seconds, KVS read and write volume, the charge beyond the free allowance, the Jira points the
 * app spends against Jira's hourly quota for apps, and the Jira Automation rule runs the replaced
 * path (an Automation "Send web request" rule) would consume.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { measureUnitCosts, type EventCost, type ResultMode, type UnitCosts } from './measure';

interface Profile {
  name: string;
  issuesCreated: number;
  otherIssueEvents: number;
  contentEdits: number;
  comments: number;
  openRunCommentShare: number;
  enabledShare: number;
  updatesOptedIn: boolean;
  resultMode: ResultMode;
  users: number;
  edition: 'Free' | 'Standard' | 'Premium' | 'Enterprise';
}

interface Capability {
  free: number;
  price: number;
}

interface CostFile {
  prices: { source: string; read: string; functionGbSeconds: Capability; kvsReadGb: Capability; kvsWriteGb: Capability };
  automation: { source: string; quotas: { Free: number; Standard: number; PremiumPerUser: number } };
  jira: { source: string; tier1PointsPerHour: number; tier2: Record<Profile['edition'], [number, number]>; tier2Cap: number; workingHoursAMonth: number };
  functions: { memoryMb: number; durationMs: { invocation: number; kvsOperation: number; jiraRequest: number; aiopsRequest: number; queuePush: number } };
  profiles: Profile[];
  before: Omit<UnitCosts, 'enhanced'> & { enhanced: Partial<Record<ResultMode, EventCost>> };
}

const SCHEDULED_CHECKS_A_MONTH = (30 * 24 * 60) / 5;
const GB = 1024 ** 3;

interface Monthly {
  invocations: number;
  gbSeconds: number;
  readGb: number;
  writeGb: number;
  ruleRuns: number;
  /** Queue events a month, and per enhanced issue. */
  queueEvents: number;
  queueEventsPerEnhanced: number;
  /** Jira points a month, and per enhanced issue. */
  jiraPoints: number;
  jiraPointsPerEnhanced: number;
}

function monthly(profile: Profile, unit: Omit<UnitCosts, 'enhanced'> & { enhanced: EventCost }, file: CostFile): Monthly {
  const share = profile.enabledShare;
  const enhanced = profile.issuesCreated * share + (profile.updatesOptedIn ? profile.contentEdits * share : 0);
  const counts: Array<[number, EventCost]> = [
    [enhanced, unit.enhanced],
    [profile.issuesCreated * (1 - share), unit.createdNotEnabled],
    [profile.otherIssueEvents, unit.otherUpdate],
    [profile.contentEdits * (profile.updatesOptedIn ? 1 - share : 1), unit.contentEditNotSent],
    [profile.comments * (1 - profile.openRunCommentShare), unit.commentByPerson],
    [profile.comments * profile.openRunCommentShare, unit.commentWhileRunOpen],
    [SCHEDULED_CHECKS_A_MONTH, unit.scheduledCheck],
  ];
  const d = file.functions.durationMs;
  const seconds = (c: EventCost) =>
    (c.invocations * d.invocation + (c.kvsReads + c.kvsWrites) * d.kvsOperation + c.jiraRequests * d.jiraRequest + c.egressRequests * d.aiopsRequest + c.queuePushes * d.queuePush) / 1000;
  const total = (f: (c: EventCost) => number) => counts.reduce((n, [count, c]) => n + count * f(c), 0);
  return {
    invocations: total((c) => c.invocations),
    gbSeconds: total(seconds) * (file.functions.memoryMb / 1024),
    readGb: total((c) => c.readBytes) / GB,
    writeGb: total((c) => c.writeBytes) / GB,
    ruleRuns: enhanced,
    queueEvents: total((c) => c.queueEvents ?? 0),
    queueEventsPerEnhanced: unit.enhanced.queueEvents ?? 0,
    jiraPoints: total((c) => c.jiraPoints ?? 0),
    jiraPointsPerEnhanced: unit.enhanced.jiraPoints ?? 0,
  };
}

function charge(m: Monthly, prices: CostFile['prices']): number {
  const over = (used: number, c: Capability) => Math.max(0, used - c.free) * c.price;
  return over(m.gbSeconds, prices.functionGbSeconds) + over(m.readGb, prices.kvsReadGb) + over(m.writeGb, prices.kvsWriteGb);
}

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** The Jira points a site spends, against Tier 1's shared pool and the Tier 2 quota its edition would have. */
function jiraLine(profile: Profile, m: Monthly, jira: CostFile['jira']): string {
  const hour = m.jiraPoints / jira.workingHoursAMonth;
  const [base, perUser] = jira.tier2[profile.edition];
  const tier2 = Math.min(jira.tier2Cap, base + perUser * profile.users);
  return (
    `  Jira: ${num(m.jiraPoints)} points a month, ${num(m.jiraPointsPerEnhanced, 1)} per enhanced issue; a working hour (the month over ${jira.workingHoursAMonth} hours) spends ${num(hour)}: ` +
    `${num((hour / jira.tier1PointsPerHour) * 100, 1)}% of Tier 1's ${num(jira.tier1PointsPerHour)}-point hourly pool, which every site the app is installed on shares (${num(Math.floor(jira.tier1PointsPerHour / hour))} such sites fill it), ` +
    `${num((hour / tier2) * 100, 1)}% of a Tier 2 per-site quota (${profile.edition}, ${num(profile.users)} users: ${num(tier2)}) (${jira.source})`
  );
}

async function main() {
  const file = parseYaml(readFileSync(join(__dirname, 'site-profiles.yml'), 'utf8')) as CostFile;
  process.stdout.write('Measuring what each kind of event costs the app on the sandbox...\n');
  const now = await measureUnitCosts(3);
  const { prices } = file;
  for (const profile of file.profiles) {
    const current = monthly(profile, { ...now, enhanced: now.enhanced[profile.resultMode] }, file);
    const beforeMode = file.before.enhanced[profile.resultMode] ? profile.resultMode : 'callback';
    const before = monthly(profile, { ...file.before, enhanced: file.before.enhanced[beforeMode]! }, file);
    const q = file.automation.quotas;
    const premium = q.PremiumPerUser * profile.users;
    process.stdout.write(
      `\n${profile.name}: ${num(profile.issuesCreated)} issues created, ${num(profile.otherIssueEvents)} other issue updates, ${num(profile.contentEdits)} summary/description edits, ${num(profile.comments)} comments a month (${num(profile.openRunCommentShare * 100)}% while a run is open); ${num(profile.enabledShare * 100)}% in enabled projects; results by ${profile.resultMode}\n`,
    );
    const rows = [
      ['', 'invocations', 'GB-seconds', 'KVS read GB', 'KVS write GB', 'charge USD*'],
      ...([
        ['the app', current],
        [`before (${beforeMode === profile.resultMode ? beforeMode : `${beforeMode}: it could not read comment results`})`, before],
      ] as Array<[string, Monthly]>).map(([name, m]) => [name, num(m.invocations), num(m.gbSeconds), num(m.readGb, 4), num(m.writeGb, 4), num(charge(m, prices), 2)]),
      ['free allowance (per app, all sites)', '', num(prices.functionGbSeconds.free), num(prices.kvsReadGb.free, 1), num(prices.kvsWriteGb.free, 1), ''],
    ];
    process.stdout.write(`${table(rows)}\n`);
    process.stdout.write(
      `  * if this were the app's only site; prices: ${prices.source} (read ${prices.read})\n` +
        `  Queue: ${num(current.queueEvents)} events a month, ${num(current.queueEventsPerEnhanced, 1)} per enhanced issue; the platform takes 500 a minute per installation, so a burst of ${num(profile.issuesCreated * profile.enabledShare / 30)} issues (a day's) drains in ${num((profile.issuesCreated * profile.enabledShare / 30) * current.queueEventsPerEnhanced / 500, 1)} minutes at best\n` +
        `${jiraLine(profile, current, file.jira)}\n` +
        `  Replaced path, Jira Automation "Send web request": ${num(current.ruleRuns)} rule runs a month = ${num((current.ruleRuns / q.Standard) * 100)}% of Standard's ${num(q.Standard)}, ${num((current.ruleRuns / premium) * 100, 1)}% of Premium's ${num(premium)} (${num(profile.users)} users), ${num(current.ruleRuns / q.Free)}x Free's ${q.Free}; Enterprise: unlimited (${file.automation.source})\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
