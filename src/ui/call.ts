import { invoke } from '@forge/bridge';

/** Calls a resolver of this module and returns its body, typed. */
export async function call<T>(functionKey: string, payload?: Record<string, unknown>): Promise<T> {
  return (await invoke(functionKey, payload)) as T;
}
