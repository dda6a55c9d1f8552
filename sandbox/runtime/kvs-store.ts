/**
 * The Forge KVS as the `@forge/kvs` SDK sees it: `POST /api/v1/<operation>` with JSON bodies and
 * the platform's error shapes (`KEY_NOT_FOUND` as a non-2xx body the SDK turns into undefined).
 * Secrets live apart from plain values and are never listed by queries.
 */

export interface StoredValue {
  value: unknown;
  createdAt: number;
  updatedAt: number;
  expireTime?: number;
}

export interface KvsSnapshot {
  values: Record<string, StoredValue>;
  secrets: Record<string, StoredValue>;
}

export interface KvsCounters {
  reads: number;
  writes: number;
}

const KEY_PATTERN = /^[a-zA-Z0-9:._\s\-#]{1,500}$/;
const MAX_VALUE_BYTES = 240 * 1024;
const TTL_UNIT_MS: Record<string, number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

class KvsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface WhereClause {
  property: string;
  condition: string;
  values: unknown[];
}

export class KvsStore {
  private values = new Map<string, StoredValue>();
  private secrets = new Map<string, StoredValue>();
  onChange?: () => void;

  constructor(private readonly now: () => number = Date.now) {}

  load(snapshot: KvsSnapshot): void {
    this.values = new Map(Object.entries(snapshot.values ?? {}));
    this.secrets = new Map(Object.entries(snapshot.secrets ?? {}));
  }

  snapshot(): KvsSnapshot {
    return { values: Object.fromEntries(this.values), secrets: Object.fromEntries(this.secrets) };
  }

  /** Direct read for the sandbox's own checks (tests, the secret scan); not metered. */
  peek(key: string): unknown {
    return this.live(this.values, key)?.value;
  }

  peekSecret(key: string): unknown {
    return this.live(this.secrets, key)?.value;
  }

  keys(prefix = ''): string[] {
    return [...this.values.keys()].filter((key) => key.startsWith(prefix) && this.live(this.values, key)).sort();
  }

  /** Handles one SDK request; counts reads and writes into `counters`. */
  async handle(path: string, body: unknown, counters?: KvsCounters): Promise<Response> {
    try {
      const result = this.dispatch(path.replace(/^\/+/, '/'), (body ?? {}) as Record<string, unknown>, counters);
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result);
    } catch (error) {
      if (error instanceof KvsError) {
        return Response.json({ code: error.code, message: error.message }, { status: error.status });
      }
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: String(error) }, { status: 500 });
    }
  }

  private live(map: Map<string, StoredValue>, key: string): StoredValue | undefined {
    const stored = map.get(key);
    if (stored?.expireTime !== undefined && stored.expireTime <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return stored;
  }

  private checkKey(key: unknown): string {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new KvsError(400, 'INVALID_KEY', `Key must be 1-500 characters of [a-zA-Z0-9:._\\s-#]: ${String(key).slice(0, 80)}`);
    }
    return key;
  }

  private get(map: Map<string, StoredValue>, body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.reads += 1;
    const key = this.checkKey(body.key);
    const stored = this.live(map, key);
    if (!stored) throw new KvsError(404, 'KEY_NOT_FOUND', `Key ${key} not found`);
    return {
      key,
      value: stored.value,
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      ...(stored.expireTime ? { expireTime: new Date(stored.expireTime).toISOString() } : {}),
    };
  }

  private set(map: Map<string, StoredValue>, body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.writes += 1;
    const key = this.checkKey(body.key);
    const size = Buffer.byteLength(JSON.stringify(body.value ?? null));
    if (size > MAX_VALUE_BYTES) throw new KvsError(400, 'MAX_SIZE', `Value of ${key} is ${size} bytes; the limit is ${MAX_VALUE_BYTES}`);
    const options = (body.options ?? {}) as { keyPolicy?: string; ttl?: { value: number; unit: string }; returnValue?: string };
    const previous = this.live(map, key);
    if (options.keyPolicy === 'FAIL_IF_EXISTS' && previous) {
      throw new KvsError(409, 'KEY_ALREADY_EXISTS', `Key ${key} already exists`);
    }
    const now = this.now();
    const ttl = options.ttl ? options.ttl.value * (TTL_UNIT_MS[options.ttl.unit] ?? 1000) : undefined;
    const stored: StoredValue = { value: body.value, createdAt: previous?.createdAt ?? now, updatedAt: now, expireTime: ttl ? now + ttl : undefined };
    map.set(key, stored);
    this.onChange?.();
    if (options.returnValue === 'PREVIOUS') return previous ? { key, value: previous.value } : undefined;
    if (options.returnValue === 'LATEST') return { key, value: stored.value };
    return undefined;
  }

  private delete(map: Map<string, StoredValue>, body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.writes += 1;
    const key = this.checkKey(body.key);
    map.delete(key);
    this.onChange?.();
    return undefined;
  }

  private query(body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.reads += 1;
    const where = (body.where as WhereClause[] | undefined) ?? [];
    const limit = Math.min(Number(body.limit ?? 10), 100);
    if (!Number.isInteger(limit) || limit < 1) throw new KvsError(400, 'INVALID_QUERY', 'limit must be 1-100');
    const after = typeof body.after === 'string' ? body.after : undefined;
    const matches = (key: string) =>
      where.every((clause) => {
        if (clause.property !== 'key') throw new KvsError(400, 'INVALID_QUERY', 'only the key can be queried');
        const [first, second] = clause.values.map(String);
        switch (clause.condition) {
          case 'BEGINS_WITH':
            return key.startsWith(first);
          case 'BETWEEN':
            return key >= first && key <= second;
          case 'GREATER_THAN':
            return key > first;
          case 'GREATER_THAN_EQUAL_TO':
            return key >= first;
          case 'LESS_THAN':
            return key < first;
          case 'LESS_THAN_EQUAL_TO':
            return key <= first;
          default:
            throw new KvsError(400, 'INVALID_QUERY', `unsupported condition ${clause.condition}`);
        }
      });
    const keys = this.keys().filter((key) => matches(key) && (after === undefined || key > after));
    const page = keys.slice(0, limit);
    return {
      data: page.map((key) => ({ key, value: this.values.get(key)!.value })),
      cursor: keys.length > limit ? page[page.length - 1] : undefined,
    };
  }

  private transact(body: Record<string, unknown>, counters?: KvsCounters) {
    const sets = (body.set as Array<Record<string, unknown>> | undefined) ?? [];
    const deletes = (body.delete as Array<Record<string, unknown>> | undefined) ?? [];
    if (sets.length + deletes.length > 25) throw new KvsError(400, 'TOO_MANY_OPERATIONS', 'a transaction holds at most 25 operations');
    // Check every precondition first so a failed transaction writes nothing.
    for (const set of sets) {
      const options = set.options as { keyPolicy?: string } | undefined;
      if (options?.keyPolicy === 'FAIL_IF_EXISTS' && this.live(this.values, this.checkKey(set.key))) {
        throw new KvsError(409, 'KEY_ALREADY_EXISTS', `Key ${String(set.key)} already exists`);
      }
    }
    for (const set of sets) this.set(this.values, set, counters);
    for (const del of deletes) this.delete(this.values, del, counters);
    return undefined;
  }

  private dispatch(path: string, body: Record<string, unknown>, counters?: KvsCounters): unknown {
    switch (path) {
      case '/api/v1/get':
        return this.get(this.values, body, counters);
      case '/api/v1/set':
        return this.set(this.values, body, counters);
      case '/api/v1/delete':
        return this.delete(this.values, body, counters);
      case '/api/v1/secret/get':
        return this.get(this.secrets, body, counters);
      case '/api/v1/secret/set':
        return this.set(this.secrets, body, counters);
      case '/api/v1/secret/delete':
        return this.delete(this.secrets, body, counters);
      case '/api/v1/query':
        return this.query(body, counters);
      case '/api/v1/transaction':
        return this.transact(body, counters);
      case '/api/v1/batch/get': {
        const items = (body as unknown as Array<{ key: string }>) ?? [];
        const successfulKeys: unknown[] = [];
        const failedKeys: unknown[] = [];
        for (const item of Array.isArray(items) ? items : []) {
          try {
            successfulKeys.push(this.get(this.values, item, counters));
          } catch (error) {
            failedKeys.push({ key: item.key, error: { code: error instanceof KvsError ? error.code : 'UNKNOWN', message: String(error) } });
          }
        }
        return { successfulKeys, failedKeys };
      }
      default:
        throw new KvsError(404, 'NOT_IMPLEMENTED', `The sandbox KVS does not implement ${path}`);
    }
  }
}
