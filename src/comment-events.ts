/**
 * The comment trigger's own handler module (manifest: `comment-events.onCommentEvent`): every
 * comment on the site invokes it, so it loads on its own, small bundle.
 */

// trigger: avi:jira:commented:issue, avi:jira:deleted:comment (results posted as comments)
export { onCommentEvent } from './handlers/comment-event-trigger';
