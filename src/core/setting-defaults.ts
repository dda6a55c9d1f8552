/**
 * Default values of the connection settings, in one place for the schema, the admin page and the
 * sandbox. No imports, so the UI bundles can use it without pulling in the validation library.
 */
export const CONNECTION_DEFAULTS = {
  keyEncoding: 'base64',
  resultMode: 'callback',
  statusUrlTemplate: '{base}/api/executions/{execution_id}',
  pollTimeLimitMinutes: 30,
  attemptLimit: 5,
  requestTimeoutSeconds: 10,
  sendReporterName: true,
  sendReporterEmail: false,
  strictPayload: false,
} as const;
