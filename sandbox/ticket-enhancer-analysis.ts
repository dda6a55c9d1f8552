/**
 * The reference AI Ops server's deterministic "Ticket Enhancer": reads the submitted Jira payload
 * and writes an analysis an agent can use (missing information, acceptance criteria, a clearer
 * summary, a priority hint). Same input, same output, so tests can assert on it.
 */

interface SubmittedIssue {
  key: string;
  summary: string;
  description: string;
  issueType: string;
  priority?: string;
}

export function readSubmittedIssue(payload: Record<string, unknown>): SubmittedIssue {
  const issue = (payload.issue ?? {}) as { key?: string; fields?: Record<string, unknown> };
  const fields = issue.fields ?? {};
  const named = (value: unknown) => (value && typeof value === 'object' && 'name' in value ? String((value as { name: unknown }).name) : undefined);
  return {
    key: String(issue.key ?? payload.issue_key ?? ''),
    summary: String(fields.summary ?? ''),
    description: String(fields.description ?? ''),
    issueType: named(fields.issuetype) ?? named(fields.request_type) ?? 'Task',
    priority: named(fields.priority),
  };
}

const URGENT_WORDS = ['outage', 'down', 'crash', 'data loss', 'security', 'breach', 'cannot log in', 'production', 'payment'];
const MINOR_WORDS = ['typo', 'cosmetic', 'spelling', 'alignment', 'color', 'colour', 'nice to have'];

function has(text: string, pattern: RegExp): boolean {
  return pattern.test(text);
}

function missingInformation(issue: SubmittedIssue): string[] {
  const text = `${issue.summary}\n${issue.description}`.toLowerCase();
  const missing: string[] = [];
  if (issue.description.trim().length === 0) missing.push('The description is empty: say what happens, where, and for whom.');
  const isBug = /bug|incident|problem/i.test(issue.issueType);
  if (isBug) {
    if (!has(text, /steps to reproduce|reproduce|1\.\s/)) missing.push('Steps to reproduce.');
    if (!has(text, /expected/)) missing.push('Expected behaviour.');
    if (!has(text, /actual|instead|but /)) missing.push('Actual behaviour, with the exact error message.');
    if (!has(text, /browser|version|os |android|ios|windows|mac|linux|environment|prod|staging/)) {
      missing.push('Environment: product version, browser or OS, and which environment (production, staging).');
    }
  } else if (!has(text, /acceptance criteria|done when|given .* when/)) {
    missing.push('Acceptance criteria: how will we know this is done?');
  }
  if (!has(text, /user|customer|admin|agent|team/)) missing.push('Who is affected, and how many.');
  return missing;
}

function clearerSummary(issue: SubmittedIssue): string {
  const trimmed = issue.summary.trim().replace(/[.!]+$/, '').replace(/\s+/g, ' ');
  if (trimmed.length === 0) return `${issue.issueType}: describe the problem in one line`;
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /bug|incident/i.test(issue.issueType) && !/^(fix|error|fail)/i.test(capitalised) ? `Fix: ${capitalised}` : capitalised;
}

function priorityHint(issue: SubmittedIssue): string {
  const text = `${issue.summary}\n${issue.description}`.toLowerCase();
  const urgent = URGENT_WORDS.find((word) => text.includes(word));
  if (urgent) return `High or Highest: the ticket mentions "${urgent}"${issue.priority ? ` (currently ${issue.priority})` : ''}.`;
  const minor = MINOR_WORDS.find((word) => text.includes(word));
  if (minor) return `Low: the ticket reads as minor ("${minor}")${issue.priority ? ` (currently ${issue.priority})` : ''}.`;
  return `Keep ${issue.priority ?? 'Medium'}: nothing in the text suggests otherwise.`;
}

function acceptanceCriteria(issue: SubmittedIssue): string[] {
  const subject = issue.summary.trim().replace(/[.!]+$/, '') || 'the change';
  if (/bug|incident/i.test(issue.issueType)) {
    return [
      `Given the steps in the description, when they are repeated, then "${subject}" no longer happens.`,
      'A regression test covers the failing case.',
      'No new errors appear in the logs of the affected service.',
    ];
  }
  return [
    `Given a user who needs it, when they use the feature, then "${subject}" works as described.`,
    'The behaviour is documented for support.',
    'Edge cases named in the description are handled.',
  ];
}

function summaryLine(issue: SubmittedIssue, missing: string[]): string {
  const what = issue.summary.trim().replace(/[.!]+$/, '') || 'This ticket';
  const gaps = missing.length === 0 ? 'It has what an engineer needs to start.' : `${missing.length} piece${missing.length === 1 ? '' : 's'} of information ${missing.length === 1 ? 'is' : 'are'} missing before an engineer can start.`;
  return `${issue.issueType} "${what}". ${gaps}`;
}

/** Named sections, as the agent returns them; the callback carries them as an object. */
export function analyseIssue(payload: Record<string, unknown>): Record<string, string> {
  const issue = readSubmittedIssue(payload);
  const missing = missingInformation(issue);
  return {
    Summary: summaryLine(issue, missing),
    'Missing information': missing.length > 0 ? missing.map((m) => `- ${m}`).join('\n') : 'Nothing obvious is missing.',
    'Suggested acceptance criteria': acceptanceCriteria(issue).map((c) => `- ${c}`).join('\n'),
    'Clearer summary': clearerSummary(issue),
    'Priority hint': priorityHint(issue),
  };
}

/** Words that name a kind of problem, as labels; words that name a part of the product, as components. */
const LABEL_WORDS = ['checkout', 'payments', 'login', 'firefox', 'chrome', 'safari', 'mobile', 'performance', 'export', 'csv', 'vpn', 'printer', 'search', 'crash'];
const COMPONENT_WORDS: Array<[RegExp, string]> = [
  [/\b(cart|checkout)\b/i, 'Checkout'],
  [/\b(pay|payment|payments|refund)\b/i, 'Payments'],
  [/\bsearch/i, 'Search'],
  [/\bvpn\b/i, 'VPN'],
  [/\bprint/i, 'Printing'],
];

/**
 * The machine-readable suggestions the agent adds when its instructions ask for them (README
 * "Suggestions the panel can apply"): labels, a priority, components, missing information.
 */
export function suggestionsFor(payload: Record<string, unknown>): Record<string, unknown> {
  const issue = readSubmittedIssue(payload);
  const text = `${issue.summary}\n${issue.description}`.toLowerCase();
  const labels = LABEL_WORDS.filter((word) => new RegExp(`\\b${word}`).test(text)).slice(0, 5);
  const urgent = URGENT_WORDS.some((word) => text.includes(word));
  const minor = MINOR_WORDS.some((word) => text.includes(word));
  const components = COMPONENT_WORDS.filter(([pattern]) => pattern.test(text)).map(([, name]) => name);
  return {
    ...(labels.length > 0 ? { labels } : {}),
    ...(urgent ? { priority: 'High' } : minor ? { priority: 'Low' } : {}),
    ...(components.length > 0 ? { components } : {}),
    missing_information: missingInformation(issue),
    confidence: 0.85,
  };
}

/** The same analysis as one markdown document, with the issues it found alike and its suggestions block. */
export function analysisAsMarkdown(sections: Record<string, string>, extras: { similar?: Array<{ key: string; summary: string }>; suggestions?: Record<string, unknown> } = {}): string {
  const parts = Object.entries(sections).map(([title, body]) => `## ${title}\n\n${body}`);
  if (extras.similar && extras.similar.length > 0) parts.push(`## Similar Issues\n\n${extras.similar.map((s) => `- ${s.key}: ${s.summary}`).join('\n')}`);
  if (extras.suggestions) parts.push(`\`\`\`ticket-enhancer\n${JSON.stringify(extras.suggestions, null, 2)}\n\`\`\``);
  return parts.join('\n\n');
}
