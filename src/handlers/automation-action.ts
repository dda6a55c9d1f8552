/**
 * The Automation action "Send to AI Ops Ticket Enhancer" (`action` + `automation:actionProvider`;
 * docs "manifest-reference/modules/automation-action"). Any rule can send its issue through the
 * app's pipeline: the same payload, signing, retries, run record and panel, marked with the rule.
 * Automation invokes it as the user of the rule's connection (so the issue is read as that user),
 * with the inputs the rule owner configured; it has 55 s. An invalid configuration returns
 * `{ errors: [{ message }] }`: the rule stops and the message is in its audit log.
 */
import { getAppContext } from '@forge/api';
import { adfToPlainText } from '../core/adf-text';
import { isCommentResult, isOpen, sectionsOf, type DeliveryRun } from '../core/enhancement';
import { licenceState, UNLICENSED_MESSAGE } from '../core/licence';
import { findIssueAsUser, JiraLimitedError, JiraUnavailableError, readCommentAsApp } from '../forge/jira-adapter';
import { getRun } from '../forge/run-store';
import { loadProjectSettings, loadSiteSettings } from '../forge/settings-store';
import { startAskedRun } from './asked-start';
import { inEnglish } from '../core/english';

/** The inputs declared in manifest.yml for the action. */
export interface ActionInputs {
  issueKey?: string;
  agentId?: string;
  waitForResult?: boolean;
  ruleName?: string;
}

/** The outputs declared in manifest.yml: `{{trigger.aiops.enhancement.status}}`-style smart values in later steps. */
export interface ActionOutputs {
  status: string;
  result: string | null;
  deliveryId: string | null;
  issueKey: string;
}

type ActionAnswer = ActionOutputs | { errors: Array<{ message: string }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const fail = (message: string): ActionAnswer => ({ errors: [{ message }] });
/** Leaves the platform's 55 s some room after the last look at the run. */
const WAIT_MARGIN_MS = 8_000;
const LOOK_EVERY_MS = 2_000;

/** The payload is the configured inputs; the documented example shows them under `payload` too. */
function inputsOf(arg: unknown): ActionInputs {
  const value = arg as { payload?: unknown } | undefined;
  const inputs = value?.payload && typeof value.payload === 'object' ? value.payload : value;
  return (inputs ?? {}) as ActionInputs;
}

type ActionContext = { principal?: { accountId?: string }; license?: { active?: boolean } };

export async function sendFromAutomation(arg: unknown, context?: ActionContext): Promise<ActionAnswer> {
  try {
    return await send(arg, context);
  } catch (error) {
    // Jira's rate limits on a later read (the project's JQL filter, a result comment): the rule stops with what to do.
    if (!(error instanceof JiraLimitedError)) throw error;
    return fail(
      error.quota
        ? `The app has used its hourly allowance of Jira requests; Jira takes them again at ${error.untilIso.slice(11, 16)} UTC. Run the rule again after that; nothing was changed.`
        : `Jira is limiting the app's requests just now (429, asked to wait for ${error.retryAfterSeconds ?? 1} s). Run the rule again later; nothing was changed.`,
    );
  }
}

async function send(arg: unknown, context?: ActionContext): Promise<ActionAnswer> {
  const inputs = inputsOf(arg);
  if (licenceState(context?.license ?? getAppContext().license) === 'inactive') return fail(UNLICENSED_MESSAGE);
  const issueKey = typeof inputs.issueKey === 'string' ? inputs.issueKey.trim() : '';
  if (!issueKey) return fail('No issue to send: set the action\'s Issue to {{issue.key}} (the form does this by default).');
  const agentOverride = typeof inputs.agentId === 'string' ? inputs.agentId.trim() : '';
  if (agentOverride && !UUID.test(agentOverride)) return fail(`Agent id override "${agentOverride.slice(0, 60)}" is not a UUID such as 3f1c2a4e-8b7d-4c21-9e0f-5a6b7c8d9e0f.`);

  // Read as the rule's user: a rule cannot send an issue its user may not see.
  const read = await findIssueAsUser(issueKey);
  if (read.kind === 'no-consent') {
    return fail(
      "The rule's actor has not allowed AI Ops Ticket Enhancer to act for them, so it cannot read the issue as them. The actor opens the app once (the issue panel or Apps), allows access when Jira asks, or checks Profile, Connected apps; then the rule can run again.",
    );
  }
  if (read.kind === 'unavailable') {
    const wait = read.retryAfterSeconds ? ` for ${read.retryAfterSeconds} s` : '';
    return fail(
      read.status === 429
        ? `Jira is limiting the app's requests just now (429, asked to wait${wait}): ${issueKey} was not sent. Run the rule again later; nothing was changed.`
        : `Jira could not answer just now (${read.status}): ${issueKey} was not sent. Run the rule again later; nothing was changed.`,
    );
  }
  if (read.kind === 'missing') return fail(`Issue ${issueKey} does not exist or the rule's actor cannot see it.`);
  const issue = read.issue;
  const site = await loadSiteSettings();
  if (!site.global) return fail('The AI Ops connection is not set up: a Jira admin sets it on the app\'s admin page (Apps, AI Ops Ticket Enhancer).');
  const enabled = await site.project(issue.projectId);
  if (!enabled && site.global.automationRequiresEnabledProject !== false) {
    return fail(`Project ${issue.projectKey} is not enabled for the Ticket Enhancer. A project admin enables it in Project settings, Apps, AI Ops Ticket Enhancer; a Jira admin can let Automation send issues of any project on the app's admin page.`);
  }
  const project = enabled ?? (await loadProjectSettings(issue.projectId));
  const ruleName = typeof inputs.ruleName === 'string' && inputs.ruleName.trim() ? inputs.ruleName.trim().slice(0, 200) : 'an Automation rule';
  const started = await startAskedRun({
    target: { issueId: issue.id, issueKey: issue.key, projectId: issue.projectId, projectKey: issue.projectKey },
    trigger: 'automation',
    discriminator: `automation-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    requestedBy: context?.principal?.accountId,
    global: site.global,
    project: agentOverride ? { ...project, agentId: agentOverride } : project,
    automationRule: ruleName,
    allowDisabledProject: !enabled,
  });
  if ('refused' in started) return fail(`Not sent: ${inEnglish(started.refused)}.`);
  if (!started.started && !started.queued) return fail(`Not sent: ${started.reason}.`);
  const run = started.run!;
  if (!inputs.waitForResult) return { status: run.status, result: null, deliveryId: run.deliveryId, issueKey: issue.key };
  return waitForResult(run, issue.key);
}

/** Looks at the run until it ends or the action's time is nearly up. */
async function waitForResult(started: DeliveryRun, issueKey: string): Promise<ActionOutputs> {
  let run = started;
  for (;;) {
    const remaining = getAppContext().invocationRemainingTimeInMillis();
    if (!isOpen(run.status) || remaining < WAIT_MARGIN_MS + LOOK_EVERY_MS) break;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
    run = (await getRun(run.deliveryId))?.run ?? run;
  }
  return { status: run.status, result: await resultText(run), deliveryId: run.deliveryId, issueKey };
}

/** The result as text for later rule steps; a comment result is read back from Jira. */
async function resultText(run: DeliveryRun): Promise<string | null> {
  const result = run.result;
  if (result === undefined) return run.status === 'failed' || run.status === 'timed-out' ? (run.reason ?? null) : null;
  if (typeof result === 'string') return result;
  if (isCommentResult(result)) {
    // The run is sent and done: a comment Jira will not show just now leaves the text out, never the outcome.
    const comment = await readCommentAsApp(run.issueId, result.commentId).catch((error: unknown) => {
      if (error instanceof JiraUnavailableError) return undefined;
      throw error;
    });
    return comment ? adfToPlainText(comment.body) : null;
  }
  return (sectionsOf(result) ?? []).map(({ title, body }) => `${title}\n\n${body}`).join('\n\n');
}
