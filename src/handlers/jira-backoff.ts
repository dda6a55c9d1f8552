/**
 * What an event or a queued job does when Jira would not answer (one of its rate limits, a 5xx):
 * it asks the platform for the same event again once Jira takes requests, with up to 30% more at
 * random so the jobs a limit stopped do not all come back in the same second ("Build an app that
 * respects rate limits", Jira Cloud platform). Anything else is thrown on.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { JiraUnavailableError, withJitter } from '../forge/jira-request';

/** The platform waits at most 900 s before a retry (docs "async-events-api"). */
const MAX_RETRY_AFTER_S = 900;

export function retryWhenJiraAnswers(error: unknown, retryData?: Record<string, unknown>): InvocationError {
  if (!(error instanceof JiraUnavailableError)) throw error;
  return new InvocationError({
    retryAfter: Math.min(MAX_RETRY_AFTER_S, Math.ceil(withJitter(error.retryAfterSeconds))),
    retryReason: error.status === 429 ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    ...(retryData ? { retryData } : {}),
  });
}
