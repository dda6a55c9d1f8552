/** What the admin page's self-check ("Diagnose") leaves in storage: short-lived markers. */
import { kvs } from '@forge/kvs';

const consumedKey = (token: string) => `diagnose:consumed:${token}`;

/** The consumer saw the self-check's queue event. */
export async function recordDiagnoseConsumed(token: string): Promise<void> {
  await kvs.set(consumedKey(token), { consumedAt: new Date().toISOString() }, { ttl: { value: 1, unit: 'HOURS' } });
}

export async function diagnoseConsumedAt(token: string): Promise<string | undefined> {
  return (await kvs.get<{ consumedAt: string }>(consumedKey(token)))?.consumedAt;
}

export interface SetOnceProbe {
  firstWrite: 'ok' | string;
  secondWrite: string;
  secondWriteCode?: string;
}

/** Writes one key twice with FAIL_IF_EXISTS and reports what the platform answered each time. */
export async function probeSetOnce(token: string): Promise<SetOnceProbe> {
  const key = `diagnose:set-once:${token}`;
  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
  let firstWrite = 'ok';
  try {
    await kvs.set(key, { at: Date.now() }, { keyPolicy: 'FAIL_IF_EXISTS', ttl: { value: 1, unit: 'HOURS' } });
  } catch (error) {
    firstWrite = describe(error);
  }
  let secondWrite = 'ok';
  let secondWriteCode: string | undefined;
  try {
    await kvs.set(key, { at: Date.now() }, { keyPolicy: 'FAIL_IF_EXISTS', ttl: { value: 1, unit: 'HOURS' } });
  } catch (error) {
    secondWrite = describe(error);
    secondWriteCode = (error as { code?: string }).code;
  }
  await kvs.delete(key).catch(() => undefined);
  return { firstWrite, secondWrite, secondWriteCode };
}
