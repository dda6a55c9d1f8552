import { useCallback, useEffect, useState } from 'react';
import { call, UnlicensedError } from './call';

/**
 * Loads a screen from its resolver's `load` on mount, and again on `reload()`: the answer goes to
 * `show`; a failure is kept as `loadError`, a site without an active licence as `unlicensed`.
 * `payload`, when given, is read at each load (what the screen already holds, such as a token).
 */
export function useScreenLoad<T>(show: (view: T) => void, payload?: () => Record<string, unknown>): { reload: () => Promise<void>; loadError?: string; unlicensed?: string } {
  const [loadError, setLoadError] = useState<string>();
  const [unlicensed, setUnlicensed] = useState<string>();
  const reload = useCallback(async () => {
    try {
      show(await call<T>('load', payload?.()));
      setLoadError(undefined);
      setUnlicensed(undefined);
    } catch (e) {
      if (e instanceof UnlicensedError) setUnlicensed(e.message);
      else setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, [show, payload]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { reload, loadError, unlicensed };
}
