import * as z from 'zod/mini';
import { sectionsFrom, type EnhancementResult, type ResultMessage } from './enhancement';
import { capText, MAX_REASON_BYTES } from './text-limits';
import { readSuggestions } from './analysis';

/**
 * The callback AI Ops sends to the app's web trigger, and its size limit. The result is capped in
 * bytes when it is stored (`limitResult` in enhancement.ts), so any body under the limit is kept.
 */

/** Under the platform's 5 MB invocation payload; what is kept of a result is capped when stored. */
export const MAX_CALLBACK_BYTES = 4 * 1024 * 1024;

const resultSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

const callbackSchema = z.object({
  execution_id: z.string({ error: 'execution_id is required' }).check(z.minLength(1, 'execution_id is required')),
  status: z.enum(['running', 'completed', 'failed'], { error: 'status must be running, completed or failed' }),
  result: z.optional(z.nullable(resultSchema)),
  error: z.optional(z.nullable(z.string())),
  /** The analysis's suggestions (README "Suggestions the panel can apply"); anything malformed is left out. */
  suggestions: z.optional(z.unknown()),
});

export type CallbackParse = { ok: true; message: ResultMessage } | { ok: false; reason: string };

export function parseCallback(body: string): CallbackParse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
  const parsed = callbackSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => i.message).join('; ') };
  const { execution_id, status, result, error, suggestions } = parsed.data;
  const offered = readSuggestions(suggestions);
  let normalised: EnhancementResult | undefined;
  if (typeof result === 'string') normalised = result;
  else if (result) {
    normalised = sectionsFrom(result);
  }
  return {
    ok: true,
    message: { executionId: execution_id, status, result: normalised, error: error ? capText(error, MAX_REASON_BYTES, 'error') : undefined, ...(offered ? { suggestions: offered } : {}) },
  };
}
