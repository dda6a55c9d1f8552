// Handlers named by manifest.yml, grouped by module type.

// trigger: avi:jira:created:issue, avi:jira:updated:issue
export { onIssueEvent } from './handlers/issue-event-trigger';

// trigger: avi:jira:commented:issue, avi:jira:deleted:comment (results posted as comments)
export { onCommentEvent } from './handlers/comment-event-trigger';

// consumer: aiops-delivery queue
export { deliverIssue } from './handlers/delivery-consumer';

// scheduledTrigger: run-sweep (every five minutes)
export { runSweep } from './handlers/run-sweep';

// webtrigger: aiops-callback
export { receiveCallback } from './handlers/callback-webtrigger';

// jira:issuePanel resolver
export { panelResolver } from './handlers/panel-resolver';

// jira:adminPage resolver
export { adminResolver } from './handlers/admin-resolver';

// jira:projectSettingsPage resolver
export { projectResolver } from './handlers/project-resolver';
