import { invoke } from '@forge/bridge';

/** Thrown when a resolver answered that the app has no active licence on this site. */
export class UnlicensedError extends Error {}

/** The reader's locale, set once the screen's translations are loaded (`Translated` in i18n.tsx). */
let readerLocale: string | undefined;

export function setReaderLocale(locale: string | undefined): void {
  readerLocale = locale;
}

/**
 * Calls a resolver of this module and returns its body, typed. Every call carries the reader's
 * locale: Forge gives functions none (docs "runtime-reference/i18n"), so this is how what the
 * backend words reaches its reader in their language.
 */
export async function call<T>(functionKey: string, payload?: Record<string, unknown>): Promise<T> {
  const answer = await invoke(functionKey, { ...(payload ?? {}), ...(readerLocale ? { locale: readerLocale } : {}) });
  if (answer && typeof answer === 'object' && (answer as { unlicensed?: unknown }).unlicensed === true) {
    // The resolver words the message in the reader's language.
    throw new UnlicensedError(String((answer as { message?: unknown }).message ?? ''));
  }
  return answer as T;
}
