/**
 * The issue trigger's own handler module (manifest: `issue-events.onIssueEvent`). The Forge
 * bundler builds one bundle per handler module, so every issue event on the site loads only what
 * this trigger needs, not the resolvers, the consumer or the settings validation.
 */

// trigger: avi:jira:created:issue, avi:jira:updated:issue (summary or description changed)
export { onIssueEvent } from './handlers/issue-event-trigger';
