import { z } from 'zod';
import type { ResultMessage } from './enhancement';

/** The callback AI Ops sends to the app's web trigger, and its size limit. */

export const MAX_CALLBACK_BYTES = 512 * 1024;
/** Results are stored in one KVS value (240 KiB); longer ones are cut with a marker. */
export const MAX_RESULT_CHARS = 200 * 1024;

const resultSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

const callbackSchema = z.object({
  execution_id: z.string().min(1, 'execution_id is required'),
  status: z.enum(['running', 'completed', 'failed'], { error: 'status must be running, completed or failed' }),
  result: resultSchema.optional().nullable(),
  error: z.string().optional().nullable(),
});

function capText(text: string): string {
  return text.length <= MAX_RESULT_CHARS ? text : `${text.slice(0, MAX_RESULT_CHARS)}\n\n[result truncated: ${text.length} characters received]`;
}

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
  const { execution_id, status, result, error } = parsed.data;
  let normalised: ResultMessage['result'];
  if (typeof result === 'string') normalised = capText(result);
  else if (result) {
    let budget = MAX_RESULT_CHARS;
    normalised = Object.fromEntries(
      Object.entries(result).map(([title, value]) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
        const kept = text.length <= budget ? text : `${text.slice(0, Math.max(0, budget))}\n\n[section truncated]`;
        budget = Math.max(0, budget - text.length);
        return [title, kept];
      }),
    );
  }
  return { ok: true, message: { executionId: execution_id, status, result: normalised, error: error ?? undefined } };
}
