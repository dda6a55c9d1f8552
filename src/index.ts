/**
 * Handlers named by manifest.yml, grouped by module type; the two triggers every site event
 * reaches have their own modules (issue-events.ts, comment-events.ts), hence their own bundles.
 * Each handler here is started on its first call, not when the bundle loads: the consumer never
 * pays for the settings pages' validation, nor a resolver for the payload's Markdown conversion.
 * `webpackMode: "eager"` keeps everything in the one bundle file; only each module's start waits.
 * (The issue trigger, reached by every issue event on the site, splits its delivery into a chunk.)
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => unknown;

function onFirstCall<M>(load: () => Promise<M>, pick: (module: M) => Handler): Handler {
  let handler: Handler | undefined;
  return async (...args) => {
    handler ??= pick(await load());
    return handler(...args);
  };
}

// consumer: aiops-delivery queue
export const deliverIssue = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/delivery-consumer'), (m) => m.deliverIssue);

// scheduledTrigger: run-sweep (every five minutes); a chunk of its own, loaded only by the check
export const runSweep = onFirstCall(() => import(/* webpackChunkName: "run-sweep" */ './handlers/run-sweep'), (m) => m.runSweep);

// preUninstall: delete-app-data (secrets, runs and their issue properties, every other key)
export const onUninstall = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/data-lifecycle'), (m) => m.onUninstall);

// action (automation:actionProvider): Send to AI Ops Ticket Enhancer
export const automationSend = onFirstCall(() => import(/* webpackChunkName: "automation-action" */ './handlers/automation-action'), (m) => m.sendFromAutomation);

// webtrigger: aiops-callback
export const receiveCallback = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/callback-webtrigger'), (m) => m.receiveCallback);

// jira:issuePanel resolver
export const panelResolver = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/panel-resolver'), (m) => m.panelResolver);

// jira:adminPage resolver
export const adminResolver = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/admin-resolver'), (m) => m.adminResolver);

// jira:projectSettingsPage resolver
export const projectResolver = onFirstCall(() => import(/* webpackMode: "eager" */ './handlers/project-resolver'), (m) => m.projectResolver);
