/**
 * Default values of the connection settings, in one place for the schema, the admin page and the
 * sandbox. No imports, so the UI bundles can use it without pulling in the validation library.
 */
export const CONNECTION_DEFAULTS = {
  keyEncoding: 'base64',
  /** How the AI Ops platform returns results today: its agent comments on the issue. */
  resultMode: 'comment',
  statusUrlTemplate: '{base}/api/v1/executions/{execution_id}/status',
  resultTimeLimitMinutes: 30,
  attemptLimit: 5,
  requestTimeoutSeconds: 10,
  /** Deliveries at once, per site (the queue's concurrency limit). */
  deliveryConcurrency: 5,
  /** How long runs wait for an unreachable AI Ops before they fail. */
  outageHorizonHours: 24,
  sendReporterName: true,
  sendReporterEmail: false,
  strictPayload: false,
  /** The agent's instructions end its comment with the run marker line (the admin page shows it). */
  runMarker: false,
  /** Ask AI Ops' execution records about runs that get no result (unofficial routes). */
  aiopsLookup: false,
  /** Send agents' "was it helpful" to AI Ops' feedback endpoint. */
  forwardFeedback: false,
  automationRequiresEnabledProject: true,
  /** Runs and their results are deleted this many days after they were created. */
  retentionDays: 180,
  /** Runs people and rules may start on one issue in an hour (Run again, Redeliver, Automation, test). */
  runsPerIssuePerHour: 5,
  /** Runs one person (or one rule's actor) may start in an hour, across issues. */
  runsPerUserPerHour: 30,
} as const;

/** The longest URL a setting accepts. */
export const MAX_URL_LENGTH = 2048;
