import { invoke } from '@forge/bridge';

/** Thrown when a resolver answered that the app has no active licence on this site. */
export class UnlicensedError extends Error {}

/** Calls a resolver of this module and returns its body, typed. */
export async function call<T>(functionKey: string, payload?: Record<string, unknown>): Promise<T> {
  const answer = await invoke(functionKey, payload);
  if (answer && typeof answer === 'object' && (answer as { unlicensed?: unknown }).unlicensed === true) {
    // The resolver words the message in the reader's language.
    throw new UnlicensedError(String((answer as { message?: unknown }).message ?? ''));
  }
  return answer as T;
}
