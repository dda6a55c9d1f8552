/**
 * The Forge KVS and Custom Entity Store as the `@forge/kvs` SDK sees them: `POST /api/v1/<operation>`
 * with JSON bodies and the platform's error shapes (`KEY_NOT_FOUND` as a non-2xx body the SDK turns
 * into undefined). Secrets live apart from plain values and are never listed by queries.
 *
 * Sources: the SDK's wire format (`@forge/kvs` out/storage-api.js, entity-query.js,
 * transaction-api.js); limits from the docs page "KVS and Custom Entity Store limits"
 * (platform/forge/limits-kvs-ce: keys of 500 characters of `[a-zA-Z0-9:._\s-#]`, values of 240 KiB,
 * object depth 31, 25 operations per transaction); key order from "storage-reference/kvs-api-query"
 * (results come in lexicographic key order); entities from "storage-reference/entities-manifest"
 * and "entities-api-query" (typed attributes strictly enforced, indexes with partition and range,
 * 10 results by default and 100 at most, `any` attributes cannot be filtered: 422).
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
  entities?: Record<string, Record<string, StoredValue>>;
}

export interface KvsCounters {
  reads: number;
  writes: number;
  /** Bytes of values written (the billed write volume). */
  writeBytes: number;
  /**
   * The billed read volume: the size of what came back, and 1 KB for a read that found nothing
   * (docs "forge-platform-pricing": "Empty KVS reads count as 1KB towards your usage").
   */
  readBytes: number;
}

const EMPTY_READ_BYTES = 1024;

function valuesBytes(result: unknown): number {
  const rows = (result as { data?: unknown[]; results?: unknown[] } | undefined)?.data ?? (result as { results?: unknown[] } | undefined)?.results;
  if (Array.isArray(rows)) return rows.reduce<number>((n, row) => n + Buffer.byteLength(JSON.stringify((row as { value?: unknown }).value ?? null)), 0);
  const value = (result as { value?: unknown } | undefined)?.value;
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

export type AttributeType = 'string' | 'integer' | 'float' | 'boolean' | 'any';

export interface EntityDefinition {
  name: string;
  attributes: Record<string, { type: AttributeType }>;
  indexes?: Array<string | { name: string; range: string[]; partition?: string[] }>;
}

interface IndexDefinition {
  name: string;
  range: string;
  partition: string[];
}

const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]{1,500}$/;
export const MAX_VALUE_BYTES = 240 * 1024;
const MAX_DEPTH = 31;
const MAX_TRANSACTION_OPERATIONS = 25;
const TTL_UNIT_MS: Record<string, number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

export class KvsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Clause {
  property?: string;
  condition: string;
  values: unknown[];
}

function depthOf(value: unknown, depth = 0): number {
  if (!value || typeof value !== 'object') return depth;
  let max = depth + 1;
  for (const child of Object.values(value as Record<string, unknown>)) max = Math.max(max, depthOf(child, depth + 1));
  return max;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function matchesClause(actual: unknown, clause: Clause): boolean {
  const [first, second] = clause.values;
  switch (clause.condition) {
    case 'EXISTS':
      return actual !== undefined;
    case 'NOT_EXISTS':
      return actual === undefined;
  }
  if (actual === undefined) return clause.condition === 'NOT_EQUAL_TO' || clause.condition === 'NOT_CONTAINS';
  switch (clause.condition) {
    case 'BEGINS_WITH':
      return String(actual).startsWith(String(first));
    case 'BETWEEN':
      return compare(actual, first) >= 0 && compare(actual, second) <= 0;
    case 'GREATER_THAN':
      return compare(actual, first) > 0;
    case 'GREATER_THAN_EQUAL_TO':
      return compare(actual, first) >= 0;
    case 'LESS_THAN':
      return compare(actual, first) < 0;
    case 'LESS_THAN_EQUAL_TO':
      return compare(actual, first) <= 0;
    case 'EQUAL_TO':
      return actual === first;
    case 'NOT_EQUAL_TO':
      return actual !== first;
    case 'CONTAINS':
      return String(actual).includes(String(first));
    case 'NOT_CONTAINS':
      return !String(actual).includes(String(first));
    default:
      throw new KvsError(400, 'INVALID_QUERY', `unsupported condition ${clause.condition}`);
  }
}

export class KvsStore {
  private values = new Map<string, StoredValue>();
  private secrets = new Map<string, StoredValue>();
  private entityValues = new Map<string, Map<string, StoredValue>>();
  private readonly definitions = new Map<string, EntityDefinition>();
  onChange?: () => void;

  constructor(
    private readonly now: () => number = () => Date.now(),
    entities: EntityDefinition[] = [],
  ) {
    for (const entity of entities) this.defineEntity(entity);
  }

  /** Entities come from manifest.yml `app.storage.entities`. */
  defineEntity(entity: EntityDefinition): void {
    this.definitions.set(entity.name, entity);
    if (!this.entityValues.has(entity.name)) this.entityValues.set(entity.name, new Map());
  }

  load(snapshot: KvsSnapshot): void {
    this.values = new Map(Object.entries(snapshot.values ?? {}));
    this.secrets = new Map(Object.entries(snapshot.secrets ?? {}));
    this.entityValues = new Map([...this.definitions.keys()].map((name) => [name, new Map(Object.entries(snapshot.entities?.[name] ?? {}))]));
  }

  /** What is stored and still readable: a value past its TTL is gone for every reader, so it is left out. */
  snapshot(): KvsSnapshot {
    return {
      values: Object.fromEntries([...this.values.keys()].flatMap((key) => {
        const stored = this.live(this.values, key);
        return stored ? [[key, stored]] : [];
      })),
      secrets: Object.fromEntries(this.secrets),
      entities: Object.fromEntries([...this.entityValues].map(([name, map]) => [name, Object.fromEntries(map)])),
    };
  }

  /** Direct read for the sandbox's own checks (tests, the secret scan); not metered. */
  peek(key: string): unknown {
    return this.live(this.values, key)?.value;
  }

  peekSecret(key: string): unknown {
    return this.live(this.secrets, key)?.value;
  }

  peekEntity(entityName: string, key: string): unknown {
    return this.live(this.entityMap(entityName), key)?.value;
  }

  /** Every live value of an entity, for tests; not metered. */
  entityEntries(entityName: string): Array<{ key: string; value: unknown }> {
    const map = this.entityMap(entityName);
    return [...map.keys()].sort().flatMap((key) => {
      const stored = this.live(map, key);
      return stored ? [{ key, value: stored.value }] : [];
    });
  }

  secretKeys(): string[] {
    return [...this.secrets.keys()].filter((key) => this.live(this.secrets, key)).sort();
  }

  keys(prefix = ''): string[] {
    return [...this.values.keys()].filter((key) => key.startsWith(prefix) && this.live(this.values, key)).sort();
  }

  /** Everything stored, in bytes of JSON (the admin page's "stored volume"). */
  storedBytes(): number {
    let bytes = 0;
    for (const map of [this.values, this.secrets, ...this.entityValues.values()]) {
      for (const [key, stored] of map) bytes += key.length + Buffer.byteLength(JSON.stringify(stored.value ?? null));
    }
    return bytes;
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

  private entityMap(name: unknown): Map<string, StoredValue> {
    const map = this.entityValues.get(String(name));
    if (!map) throw new KvsError(400, 'ENTITY_NOT_FOUND', `No custom entity "${String(name)}" is declared in manifest.yml app.storage.entities`);
    return map;
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

  private checkValue(key: string, value: unknown): number {
    const size = Buffer.byteLength(JSON.stringify(value ?? null));
    if (size > MAX_VALUE_BYTES) throw new KvsError(400, 'MAX_SIZE', `Value of ${key} is ${size} bytes; the limit is ${MAX_VALUE_BYTES}`);
    if (depthOf(value) > MAX_DEPTH) throw new KvsError(400, 'MAX_DEPTH', `Value of ${key} is nested deeper than ${MAX_DEPTH} levels`);
    return size;
  }

  /** "The Custom Entity Store strictly enforces attribute types" (storage-reference/entities-api). */
  private checkEntityValue(definition: EntityDefinition, key: string, value: unknown): void {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new KvsError(400, 'INVALID_ENTITY', `Entity ${definition.name} ${key}: the value must be an object of attributes`);
    for (const [name, attributeValue] of Object.entries(value as Record<string, unknown>)) {
      const attribute = definition.attributes[name];
      if (!attribute) throw new KvsError(400, 'INVALID_ENTITY', `Entity ${definition.name} has no attribute "${name}"`);
      if (attributeValue === undefined || attributeValue === null) continue;
      const ok =
        attribute.type === 'any' ||
        (attribute.type === 'string' && typeof attributeValue === 'string' && attributeValue.trim().length > 0) ||
        (attribute.type === 'integer' && Number.isInteger(attributeValue) && Math.abs(attributeValue as number) <= 2 ** 31 - 1) ||
        (attribute.type === 'float' && typeof attributeValue === 'number' && Number.isFinite(attributeValue)) ||
        (attribute.type === 'boolean' && typeof attributeValue === 'boolean');
      if (!ok) {
        throw new KvsError(400, 'INVALID_ENTITY', `Entity ${definition.name} attribute "${name}" must be a ${attribute.type === 'string' ? 'non-empty string' : attribute.type}, got ${JSON.stringify(attributeValue).slice(0, 60)}`);
      }
    }
  }

  private indexOf(definition: EntityDefinition, name: unknown): IndexDefinition {
    if (name === 'by-key') return { name: 'by-key', range: '__key', partition: [] };
    for (const index of definition.indexes ?? []) {
      if (typeof index === 'string' && index === name) return { name: index, range: index, partition: [] };
      if (typeof index === 'object' && index.name === name) return { name: index.name, range: index.range[0], partition: index.partition ?? [] };
    }
    throw new KvsError(400, 'INDEX_NOT_FOUND', `Entity ${definition.name} has no index "${String(name)}"`);
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

  private set(map: Map<string, StoredValue>, body: Record<string, unknown>, counters?: KvsCounters, check?: (key: string) => void) {
    const key = this.checkKey(body.key);
    const size = this.checkValue(key, body.value);
    check?.(key);
    if (counters) {
      counters.writes += 1;
      counters.writeBytes += size;
    }
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

  private setEntity(body: Record<string, unknown>, counters?: KvsCounters) {
    const definition = this.definitions.get(String(body.entityName));
    const map = this.entityMap(body.entityName);
    return this.set(map, body, counters, (key) => this.checkEntityValue(definition!, key, body.value));
  }

  private query(body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.reads += 1;
    const where = (body.where as Clause[] | undefined) ?? [];
    const limit = Math.min(Number(body.limit ?? 10), 100);
    if (!Number.isInteger(limit) || limit < 1) throw new KvsError(400, 'INVALID_QUERY', 'limit must be 1-100');
    const after = typeof body.after === 'string' ? body.after : typeof body.cursor === 'string' ? body.cursor : undefined;
    const matches = (key: string) =>
      where.every((clause) => {
        if (clause.property !== 'key') throw new KvsError(400, 'INVALID_QUERY', 'only the key can be queried');
        return matchesClause(key, clause);
      });
    // Lexicographic key order (storage-reference/kvs-api-query).
    const keys = this.keys().filter((key) => matches(key) && (after === undefined || key > after));
    const page = keys.slice(0, limit);
    return {
      data: page.map((key) => ({ key, value: this.values.get(key)!.value })),
      cursor: keys.length > limit ? page[page.length - 1] : undefined,
    };
  }

  private queryEntity(body: Record<string, unknown>, counters?: KvsCounters) {
    if (counters) counters.reads += 1;
    const definition = this.definitions.get(String(body.entityName));
    const map = this.entityMap(body.entityName);
    const index = this.indexOf(definition!, body.indexName);
    const partition = (body.partition as unknown[] | undefined) ?? [];
    if (partition.length !== index.partition.length) {
      throw new KvsError(400, 'INVALID_QUERY', `Index ${index.name} needs ${index.partition.length} partition value(s), got ${partition.length}`);
    }
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new KvsError(400, 'INVALID_QUERY', 'limit must be 1-100');
    const range = body.range as Clause | undefined;
    const filters = body.filters as { and?: Clause[]; or?: Clause[] } | undefined;
    const filterClauses = filters?.and ?? filters?.or ?? [];
    for (const clause of filterClauses) {
      if (definition!.attributes[String(clause.property)]?.type === 'any') {
        throw new KvsError(422, 'INVALID_QUERY', `Attribute "${String(clause.property)}" has type any and cannot be filtered`);
      }
    }
    const attribute = (value: Record<string, unknown>, key: string, name: string) => (name === '__key' ? key : value[name]);
    const rows: Array<{ key: string; value: Record<string, unknown>; rangeValue: unknown }> = [];
    for (const key of map.keys()) {
      const stored = this.live(map, key);
      if (!stored) continue;
      const value = stored.value as Record<string, unknown>;
      // An entity without the index's attributes is not in that index.
      const rangeValue = attribute(value, key, index.range);
      if (rangeValue === undefined || rangeValue === null) continue;
      if (!index.partition.every((name, i) => value[name] === partition[i])) continue;
      if (range && !matchesClause(rangeValue, range)) continue;
      if (filterClauses.length > 0) {
        const results = filterClauses.map((clause) => matchesClause(value[String(clause.property)], clause));
        if (filters?.and ? !results.every(Boolean) : !results.some(Boolean)) continue;
      }
      rows.push({ key, value, rangeValue });
    }
    const descending = body.sort === 'DESC';
    rows.sort((a, b) => {
      const order = compare(a.rangeValue, b.rangeValue) || compare(a.key, b.key);
      return descending ? -order : order;
    });
    let start = 0;
    if (typeof body.cursor === 'string') {
      const position = JSON.parse(Buffer.from(body.cursor, 'base64url').toString('utf8')) as { r: unknown; k: string };
      start = rows.findIndex((row) => {
        const order = compare(row.rangeValue, position.r) || compare(row.key, position.k);
        return descending ? order < 0 : order > 0;
      });
      if (start === -1) start = rows.length;
    }
    const page = rows.slice(start, start + limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({ key: row.key, value: row.value })),
      cursor: start + limit < rows.length && last ? Buffer.from(JSON.stringify({ r: last.rangeValue, k: last.key })).toString('base64url') : undefined,
    };
  }

  /** Entity conditions in a transaction: every clause is checked against the stored entity. */
  private conditionsHold(entityName: unknown, key: string, conditions: { and?: Clause[]; or?: Clause[] } | undefined): boolean {
    if (!conditions) return true;
    const stored = this.live(this.entityMap(entityName), key)?.value as Record<string, unknown> | undefined;
    const clauses = conditions.and ?? conditions.or ?? [];
    const results = clauses.map((clause) => matchesClause(stored?.[String(clause.property)], clause));
    return conditions.and ? results.every(Boolean) : results.some(Boolean);
  }

  private transact(body: Record<string, unknown>, counters?: KvsCounters) {
    type Operation = Record<string, unknown> & { entityName?: string; conditions?: { and?: Clause[]; or?: Clause[] } };
    const sets = (body.set as Operation[] | undefined) ?? [];
    const deletes = (body.delete as Operation[] | undefined) ?? [];
    const checks = (body.check as Operation[] | undefined) ?? [];
    if (sets.length + deletes.length + checks.length > MAX_TRANSACTION_OPERATIONS) {
      throw new KvsError(400, 'TOO_MANY_OPERATIONS', `a transaction holds at most ${MAX_TRANSACTION_OPERATIONS} operations`);
    }
    const keys = [...sets, ...deletes, ...checks].map((op) => `${op.entityName ?? ''}/${String(op.key)}`);
    if (new Set(keys).size !== keys.length) throw new KvsError(400, 'DUPLICATE_KEY', 'each key can be used only once in a transaction');
    // Every precondition first, so a failed transaction writes nothing.
    for (const op of [...sets, ...deletes, ...checks]) {
      const key = this.checkKey(op.key);
      if (op.entityName !== undefined && !this.conditionsHold(op.entityName, key, op.conditions)) {
        throw new KvsError(409, 'CONDITION_FAILED', `The condition on ${String(op.entityName)} ${key} does not hold`);
      }
    }
    for (const set of sets) {
      const map = set.entityName !== undefined ? this.entityMap(set.entityName) : this.values;
      const options = set.options as { keyPolicy?: string } | undefined;
      if (options?.keyPolicy === 'FAIL_IF_EXISTS' && this.live(map, String(set.key))) {
        throw new KvsError(409, 'KEY_ALREADY_EXISTS', `Key ${String(set.key)} already exists`);
      }
      this.checkValue(String(set.key), set.value);
      if (set.entityName !== undefined) this.checkEntityValue(this.definitions.get(set.entityName)!, String(set.key), set.value);
    }
    // "Transactions are treated as a single Write operation" (limits-kvs-ce).
    if (counters) counters.writes += 1;
    for (const set of sets) {
      const map = set.entityName !== undefined ? this.entityMap(set.entityName) : this.values;
      const size = Buffer.byteLength(JSON.stringify(set.value ?? null));
      if (counters) counters.writeBytes += size;
      this.set(map, { ...set, options: undefined });
    }
    for (const del of deletes) this.delete(del.entityName !== undefined ? this.entityMap(del.entityName) : this.values, del);
    return undefined;
  }

  /**
   * docs "kvs-batch": at most 25 keys; an empty batch, or one naming the same key (plus entity)
   * twice, fails as a whole; otherwise each item succeeds or fails on its own.
   */
  private batch(path: string, items: Array<Record<string, unknown>>, counters?: KvsCounters) {
    const list = Array.isArray(items) ? items : [];
    if (list.length === 0) throw new KvsError(400, 'INVALID_BATCH', 'A batch operation needs at least one key');
    if (list.length > 25) throw new KvsError(400, 'INVALID_BATCH', `A batch operation can contain at most 25 keys, got ${list.length}`);
    const names = list.map((item) => `${String(item.entityName ?? '')}\u0000${String(item.key)}`);
    if (new Set(names).size !== names.length) throw new KvsError(400, 'INVALID_BATCH', 'A batch operation names the same key twice');
    const successfulKeys: unknown[] = [];
    const failedKeys: unknown[] = [];
    for (const item of list) {
      const map = item.entityName !== undefined ? this.entityMap(item.entityName) : this.values;
      try {
        if (path.endsWith('/get')) successfulKeys.push({ ...this.get(map, item, counters), ...(item.entityName ? { entityName: item.entityName } : {}) });
        else if (path.endsWith('/set')) {
          if (item.entityName !== undefined) this.setEntity(item, counters);
          else this.set(map, item, counters);
          successfulKeys.push({ key: item.key, ...(item.entityName ? { entityName: item.entityName } : {}) });
        } else {
          this.delete(map, item, counters);
          successfulKeys.push({ key: item.key, ...(item.entityName ? { entityName: item.entityName } : {}) });
        }
      } catch (error) {
        failedKeys.push({ key: item.key, ...(item.entityName ? { entityName: item.entityName } : {}), error: { code: error instanceof KvsError ? error.code : 'UNKNOWN', message: String(error) } });
      }
    }
    return { successfulKeys, failedKeys };
  }

  private dispatch(path: string, body: Record<string, unknown>, counters?: KvsCounters): unknown {
    const reading = /\/(get|query)$/.test(path) && !path.includes('batch');
    if (!reading || !counters) return this.route(path, body, counters);
    try {
      const result = this.route(path, body, counters);
      counters.readBytes += valuesBytes(result) || EMPTY_READ_BYTES;
      return result;
    } catch (error) {
      if (error instanceof KvsError && error.status === 404) counters.readBytes += EMPTY_READ_BYTES;
      throw error;
    }
  }

  private route(path: string, body: Record<string, unknown>, counters?: KvsCounters): unknown {
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
      case '/api/v1/entity/get':
        return this.get(this.entityMap(body.entityName), body, counters);
      case '/api/v1/entity/set':
        return this.setEntity(body, counters);
      case '/api/v1/entity/delete':
        return this.delete(this.entityMap(body.entityName), body, counters);
      case '/api/v1/entity/query':
        return this.queryEntity(body, counters);
      case '/api/v1/query':
        return this.query(body, counters);
      case '/api/v1/transaction':
        return this.transact(body, counters);
      case '/api/v1/batch/get':
      case '/api/v1/batch/set':
      case '/api/v1/batch/delete':
        return this.batch(path, body as unknown as Array<Record<string, unknown>>, counters);
      default:
        throw new KvsError(404, 'NOT_IMPLEMENTED', `The sandbox KVS does not implement ${path}`);
    }
  }
}
