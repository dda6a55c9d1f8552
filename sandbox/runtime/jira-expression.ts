/**
 * The subset of Jira expressions that Forge evaluates in a trigger's `filter.expression`, as the
 * docs describe it ("events-reference/product_events", "Filter out Atlassian app events";
 * https://developer.atlassian.com/cloud/jira/platform/jira-expressions/):
 * - the event payload is the `event` variable, a Map; the expression must evaluate to a Boolean:
 *   `true` delivers the event, `false` drops it, anything else is an error (the event is dropped,
 *   unless `onError` says to receive it);
 * - accessing a property the payload does not define, or any property of null, is an error;
 *   `a?.b` yields null instead when `a` is null or has no `b`;
 * - `==` and `!=` compare without conversion (Jira expressions have no `===`);
 * - at most 10,000 characters and at most 50,000 steps, "where a step is any of the high-level
 *   operations, such as arithmetic, accessing a property, accessing a variable, or calling a
 *   function".
 * `try { return ...; } catch (e) { throw ...; }` is accepted as the docs' error-handling example
 * shows. The parser is acorn (the expressions are JavaScript-like); the semantics are written here.
 */
import { parse } from 'acorn';

export const MAX_EXPRESSION_CHARS = 10_000;
export const MAX_EXPRESSION_STEPS = 50_000;

export class JiraExpressionError extends Error {
  constructor(
    message: string,
    readonly location?: string,
  ) {
    super(message);
  }
}

/** Thrown by `throw` inside the expression (the docs' custom error message). */
class ThrownByExpression extends JiraExpressionError {}

type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Lambda;

interface Lambda {
  kind: 'lambda';
  params: string[];
  body: Node;
  scope: Map<string, Value>;
}

// acorn's ESTree nodes, read loosely: only the shapes below are accepted.
interface Node {
  type: string;
  start: number;
  [key: string]: unknown;
}

const isLambda = (value: Value): value is Lambda => typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Lambda).kind === 'lambda';

function typeName(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'List';
  if (isLambda(value)) return 'Function';
  if (typeof value === 'object') return 'Map';
  return typeof value === 'boolean' ? 'Boolean' : typeof value === 'number' ? 'Number' : 'String';
}

/** The wrapping parentheses the parser adds around the whole expression are not the author's. */
function unwrap(program: Node): Node {
  const statement = (program.body as Node[])[0];
  const expression = statement.expression as Node;
  if (expression.type === 'ParenthesizedExpression') statement.expression = expression.expression;
  return program;
}

/** Parses the expression once; throws JiraExpressionError for what Forge would refuse to deploy. */
export function parseJiraExpression(expression: string): Node {
  if (expression.length > MAX_EXPRESSION_CHARS) {
    throw new JiraExpressionError(`the expression has ${expression.length} characters; at most ${MAX_EXPRESSION_CHARS} are allowed`);
  }
  const source = expression.trim();
  try {
    if (source.startsWith('try')) {
      // A statement form: wrapped so `return` is legal; only `try { return ... } catch (e) { throw ... }` is accepted below.
      return unwrap(parse(`(function(){${source}\n})`, { ecmaVersion: 2022, preserveParens: true }) as unknown as Node);
    }
    // Parentheses are kept: they end an entity property path ("(path).length").
    return unwrap(parse(`(${source}\n)`, { ecmaVersion: 2022, preserveParens: true }) as unknown as Node);
  } catch (error) {
    throw new JiraExpressionError(`syntax error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

class Evaluation {
  steps = 0;

  constructor(private readonly limit: number) {}

  step(node: Node): void {
    this.steps += 1;
    if (this.steps > this.limit) throw new JiraExpressionError(`the expression took more than ${this.limit} steps`, this.where(node));
  }

  where(node: Node): string {
    return `offset ${Math.max(0, node.start - 1)}`;
  }

  fail(node: Node, message: string): never {
    throw new JiraExpressionError(message, this.where(node));
  }

  run(program: Node, scope: Map<string, Value>): Value {
    const statement = (program.body as Node[])[0];
    const expression = statement.expression as Node;
    if (expression.type === 'FunctionExpression') return this.tryStatement((expression.body as Node).body as Node[], scope);
    return this.eval(expression, scope);
  }

  private tryStatement(body: Node[], scope: Map<string, Value>): Value {
    const [statement] = body;
    if (body.length !== 1 || statement.type !== 'TryStatement') this.fail(statement ?? ({ start: 0 } as Node), 'only an expression or try { return ... } catch (e) { throw ... } is allowed');
    const block = (statement.block as Node).body as Node[];
    if (block.length !== 1 || block[0].type !== 'ReturnStatement') this.fail(statement, 'the try block must be a single return statement');
    try {
      return this.eval(block[0].argument as Node, scope);
    } catch (error) {
      if (!(error instanceof JiraExpressionError) || error instanceof ThrownByExpression) throw error;
      const handler = statement.handler as Node | null;
      if (!handler) throw error;
      const handlerBody = (handler.body as Node).body as Node[];
      const param = (handler.param as Node | null)?.name as string | undefined;
      const inner = new Map(scope);
      if (param) inner.set(param, { message: error.message, location: error.location ?? '' });
      if (handlerBody.length !== 1 || !['ThrowStatement', 'ReturnStatement'].includes(handlerBody[0].type)) this.fail(handler, 'the catch block must throw or return');
      const value = this.eval(handlerBody[0].argument as Node, inner);
      if (handlerBody[0].type === 'ThrowStatement') throw new ThrownByExpression(typeof value === 'string' ? value : JSON.stringify(value));
      return value;
    }
  }

  eval(node: Node, scope: Map<string, Value>): Value {
    switch (node.type) {
      case 'Literal': {
        const value = node.value as Value | RegExp | bigint | undefined;
        if (value instanceof RegExp || typeof value === 'bigint' || value === undefined) this.fail(node, 'this literal is not supported');
        return value as Value;
      }
      case 'TemplateLiteral': {
        const quasis = node.quasis as Node[];
        const parts = node.expressions as Node[];
        let text = '';
        quasis.forEach((quasi, i) => {
          text += (quasi.value as { cooked: string }).cooked;
          if (i < parts.length) {
            const value = this.eval(parts[i], scope);
            text += typeof value === 'string' ? value : JSON.stringify(value);
          }
        });
        return text;
      }
      case 'Identifier': {
        this.step(node);
        const name = node.name as string;
        if (!scope.has(name)) this.fail(node, `variable ${name} is not defined`);
        return scope.get(name)!;
      }
      case 'ParenthesizedExpression':
        return this.eval(node.expression as Node, scope);
      case 'ChainExpression':
        return this.chain(node.expression as Node, scope).value;
      case 'MemberExpression':
      case 'CallExpression':
        return this.chain(node, scope).value;
      case 'ArrayExpression':
        return (node.elements as Array<Node | null>).map((element) => {
          if (!element || element.type === 'SpreadElement') this.fail(node, 'list literals take plain values');
          return this.eval(element, scope);
        });
      case 'UnaryExpression': {
        this.step(node);
        const value = this.eval(node.argument as Node, scope);
        if (node.operator === '!') {
          if (typeof value !== 'boolean') this.fail(node, `! needs a Boolean, got ${typeName(value)}`);
          return !value;
        }
        if (node.operator === '-') {
          if (typeof value !== 'number') this.fail(node, `- needs a Number, got ${typeName(value)}`);
          return -value;
        }
        return this.fail(node, `operator ${String(node.operator)} is not supported`);
      }
      case 'LogicalExpression': {
        this.step(node);
        const left = this.eval(node.left as Node, scope);
        if (node.operator === '??') return left === null ? this.eval(node.right as Node, scope) : left;
        if (typeof left !== 'boolean') this.fail(node, `${String(node.operator)} needs Booleans, got ${typeName(left)}`);
        if (node.operator === '&&' ? !left : left) return left;
        const right = this.eval(node.right as Node, scope);
        if (typeof right !== 'boolean') this.fail(node, `${String(node.operator)} needs Booleans, got ${typeName(right)}`);
        return right;
      }
      case 'BinaryExpression':
        return this.binary(node, scope);
      case 'ConditionalExpression': {
        this.step(node);
        const test = this.eval(node.test as Node, scope);
        if (typeof test !== 'boolean') this.fail(node, `a condition needs a Boolean, got ${typeName(test)}`);
        return this.eval((test ? node.consequent : node.alternate) as Node, scope);
      }
      case 'ArrowFunctionExpression': {
        const params = (node.params as Node[]).map((param) => {
          if (param.type !== 'Identifier') this.fail(node, 'arrow function parameters must be names');
          return param.name as string;
        });
        if ((node.body as Node).type === 'BlockStatement') this.fail(node, 'arrow functions must return an expression');
        return { kind: 'lambda', params, body: node.body as Node, scope };
      }
      default:
        return this.fail(node, `${node.type} is not supported in event filter expressions`);
    }
  }

  private binary(node: Node, scope: Map<string, Value>): Value {
    const operator = node.operator as string;
    if (operator === '===' || operator === '!==') this.fail(node, `${operator} does not exist in Jira expressions; use ${operator.slice(0, 2)}`);
    const left = this.eval(node.left as Node, scope);
    const right = this.eval(node.right as Node, scope);
    this.step(node);
    switch (operator) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case '<':
      case '>':
      case '<=':
      case '>=': {
        if (!(typeof left === 'number' && typeof right === 'number') && !(typeof left === 'string' && typeof right === 'string')) {
          this.fail(node, `${operator} compares two Numbers or two Strings, got ${typeName(left)} and ${typeName(right)}`);
        }
        const l = left as number | string;
        const r = right as number | string;
        return operator === '<' ? l < r : operator === '>' ? l > r : operator === '<=' ? l <= r : l >= r;
      }
      case '+':
        if (typeof left === 'string' || typeof right === 'string') {
          if (typeof left === 'string' && typeof right === 'string') return left + right;
          if (typeof left === 'string' && typeof right === 'number') return left + String(right);
          if (typeof left === 'number' && typeof right === 'string') return String(left) + right;
        }
        if (typeof left === 'number' && typeof right === 'number') return left + right;
        return this.fail(node, `+ cannot combine ${typeName(left)} and ${typeName(right)}`);
      case '-':
      case '*':
      case '/':
      case '%':
        if (typeof left !== 'number' || typeof right !== 'number') this.fail(node, `${operator} needs Numbers, got ${typeName(left)} and ${typeName(right)}`);
        return operator === '-' ? left - right : operator === '*' ? left * right : operator === '/' ? left / right : left % right;
      case 'in':
        return this.fail(node, 'the in operator is not supported; use includes()');
      default:
        return this.fail(node, `operator ${operator} is not supported`);
    }
  }

  /** Member access and calls, with optional chaining: `short` is set once a `?.` met null. */
  private chain(node: Node, scope: Map<string, Value>): { value: Value; short?: boolean } {
    if (node.type === 'MemberExpression') {
      const path = runtimePathOf(node);
      if (path) {
        this.step(node);
        const runtime = (scope.get('event') as Record<string, Value> | undefined)?.runtime as Record<string, Value> | undefined;
        if (!runtime || typeof runtime !== 'object') this.fail(node, 'entity property values are not available for this event');
        return { value: runtime[path.path] ?? null };
      }
      const base = this.chain(node.object as Node, scope);
      if (base.short) return base;
      const object = base.value;
      this.step(node);
      const key = node.computed ? this.eval(node.property as Node, scope) : ((node.property as Node).name as string);
      if (object === null) {
        if (node.optional) return { value: null, short: true };
        this.fail(node, `cannot read ${JSON.stringify(key)} of null`);
      }
      return { value: this.member(node, object, key, Boolean(node.optional)) };
    }
    if (node.type === 'CallExpression') {
      const callee = node.callee as Node;
      if (callee.type !== 'MemberExpression') this.fail(node, 'only methods can be called');
      const base = this.chain(callee.object as Node, scope);
      if (base.short) return base;
      const target = base.value;
      const name = callee.computed ? undefined : ((callee.property as Node).name as string);
      if (!name) this.fail(node, 'methods are called by name');
      if (target === null) {
        if (callee.optional || node.optional) return { value: null, short: true };
        this.fail(node, `cannot call ${name}() on null`);
      }
      this.step(node);
      const args = (node.arguments as Node[]).map((arg) => this.eval(arg, scope));
      return { value: this.call(node, target, name, args) };
    }
    return { value: this.eval(node, scope) };
  }

  private member(node: Node, object: Value, key: Value, optional: boolean): Value {
    if (Array.isArray(object)) {
      if (key === 'length') return object.length;
      if (typeof key === 'number') {
        if (Number.isInteger(key) && key >= 0 && key < object.length) return object[key];
        if (optional) return null;
        return this.fail(node, `index ${key} is outside the list of ${object.length}`);
      }
      return this.fail(node, `List has no property ${JSON.stringify(key)}`);
    }
    if (typeof object === 'string') {
      if (key === 'length') return object.length;
      return this.fail(node, `String has no property ${JSON.stringify(key)}`);
    }
    if (typeof object === 'object' && object !== null && !isLambda(object)) {
      if (typeof key !== 'string' && typeof key !== 'number') this.fail(node, `a Map key must be a String, got ${typeName(key)}`);
      const k = String(key);
      if (Object.prototype.hasOwnProperty.call(object, k)) {
        const value = object[k];
        return value === undefined ? null : value;
      }
      if (optional) return null;
      return this.fail(node, `the payload has no property ${JSON.stringify(k)} here`);
    }
    return this.fail(node, `${typeName(object)} has no property ${JSON.stringify(key)}`);
  }

  private apply(node: Node, fn: Value, args: Value[]): Value {
    if (!isLambda(fn)) return this.fail(node, `expected an arrow function, got ${typeName(fn)}`);
    const scope = new Map(fn.scope);
    fn.params.forEach((param, i) => scope.set(param, args[i] ?? null));
    return this.eval(fn.body, scope);
  }

  private predicate(node: Node, fn: Value, item: Value): boolean {
    const result = this.apply(node, fn, [item]);
    if (typeof result !== 'boolean') this.fail(node, `the function must return a Boolean, got ${typeName(result)}`);
    return result;
  }

  private call(node: Node, target: Value, name: string, args: Value[]): Value {
    if (Array.isArray(target)) {
      switch (name) {
        case 'some':
          return target.some((item) => this.predicate(node, args[0], item));
        case 'every':
          return target.every((item) => this.predicate(node, args[0], item));
        case 'filter':
          return target.filter((item) => this.predicate(node, args[0], item));
        case 'map':
          return target.map((item) => this.apply(node, args[0], [item]));
        case 'includes':
          this.steps += target.length;
          return target.some((item) => equal(item, args[0]));
        case 'indexOf':
          this.steps += target.length;
          return target.findIndex((item) => equal(item, args[0]));
        default:
          return this.fail(node, `List has no method ${name}()`);
      }
    }
    if (typeof target === 'string') {
      const arg = args[0];
      const needsString = () => {
        if (typeof arg !== 'string') this.fail(node, `${name}() needs a String, got ${typeName(arg ?? null)}`);
        return arg as string;
      };
      switch (name) {
        case 'includes':
          return target.includes(needsString());
        case 'startsWith':
          return target.startsWith(needsString());
        case 'endsWith':
          return target.endsWith(needsString());
        case 'toLowerCase':
          return target.toLowerCase();
        case 'toUpperCase':
          return target.toUpperCase();
        case 'trim':
          return target.trim();
        default:
          return this.fail(node, `String has no method ${name}()`);
      }
    }
    return this.fail(node, `${typeName(target)} has no method ${name}()`);
  }
}

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  return false;
}

export interface ExpressionOutcome {
  value: Value;
  steps: number;
}

/** Evaluates `expression` with `event` bound; throws JiraExpressionError on any evaluation error. */
export function evaluateJiraExpression(expression: string, event: Record<string, unknown>, limit = MAX_EXPRESSION_STEPS): ExpressionOutcome {
  const program = parseJiraExpression(expression);
  const evaluation = new Evaluation(limit);
  const json = JSON.parse(JSON.stringify(event)) as Value;
  const value = evaluation.run(program, new Map([['event', json]]));
  return { value, steps: evaluation.steps };
}

/**
 * The filter's verdict as Forge applies it: true delivers; false or any non-Boolean result drops;
 * errors are thrown for the caller to apply `onError`.
 */
export function filterDelivers(expression: string, event: Record<string, unknown>): boolean {
  const { value } = evaluateJiraExpression(expression, event);
  if (typeof value !== 'boolean') throw new JiraExpressionError(`the expression returned ${typeName(value)}, not a Boolean`);
  return value;
}

/**
 * A static estimate of the expression's complexity, in the terms the Forge CLI uses at deploy
 * ("product_events", Restrictions): each iterating list method (some, every, filter, map) over a
 * list the payload supplies introduces an inferred variable; nested iterations multiply into a
 * variable combination. The documented limits are 3 variables, 3 combinations, 3 variables per
 * combination and 10,000 constant operations.
 */
export interface ComplexityEstimate {
  variables: number;
  combinations: string[];
  constantOperations: number;
  problems: string[];
}

export function estimateComplexity(expression: string): ComplexityEstimate {
  const program = parseJiraExpression(expression);
  const combinations = new Set<string>();
  let variables = 0;
  let constant = 0;
  const visit = (node: unknown, depth: string[]): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => visit(child, depth));
    const n = node as Node;
    if (typeof n.type !== 'string') return;
    let inner = depth;
    if (n.type === 'CallExpression' && (n.callee as Node)?.type === 'MemberExpression') {
      const name = ((n.callee as Node).property as Node).name as string;
      if (['some', 'every', 'filter', 'map', 'includes', 'indexOf'].includes(name)) {
        variables += 1;
        inner = [...depth, `V${variables}`];
        combinations.add(inner.join('*'));
      }
    }
    if (depth.length === 0 && ['Identifier', 'MemberExpression', 'BinaryExpression', 'LogicalExpression', 'CallExpression', 'UnaryExpression'].includes(n.type)) constant += 1;
    for (const [key, child] of Object.entries(n)) if (key !== 'type' && key !== 'start' && key !== 'end') visit(child, inner);
  };
  visit(program, []);
  const longest = Math.max(0, ...[...combinations].map((c) => c.split('*').length));
  const problems: string[] = [];
  if (variables > 3) problems.push(`${variables} inferred variables (at most 3)`);
  if (combinations.size > 3) problems.push(`${combinations.size} variable combinations (at most 3)`);
  if (longest > 3) problems.push(`${longest} variables in one combination (at most 3)`);
  if (constant > 10_000) problems.push(`${constant} constant operations (at most 10,000)`);
  return { variables, combinations: [...combinations], constantOperations: constant, problems };
}

/**
 * Entity property paths in a filter ("events-reference/product_events", Filtering by entity
 * properties, a preview feature): `event.runtime.<entity>.properties['<key>']` and an optional
 * sub-path in dot or bracket notation (`['x.y.z']` is `.x.y.z`). Forge resolves each path the
 * manifest names to a primitive or a list of primitives; an object, or anything that does not
 * resolve, is null. At most 5 distinct paths across all trigger modules, filters and
 * `payload.include.propertyPaths` together; values may be a few seconds older than the event.
 * Source: https://developer.atlassian.com/platform/forge/events-reference/product_events/
 * ("Filtering by entity properties": Key points about the syntax, Supported events, Limits and
 * constraints; read 2026-11-29).
 */
export const PROPERTY_ENTITIES = ['issue', 'project', 'user', 'issuetype'] as const;
export type PropertyEntity = (typeof PROPERTY_ENTITIES)[number];
export const MAX_ENTITY_PROPERTY_PATHS = 5;
/** The events whose filters may read entity properties (same page, "Supported events"). */
export const ENTITY_PROPERTY_EVENTS = [
  'avi:jira:created:issue',
  'avi:jira:updated:issue',
  'avi:jira:deleted:issue',
  'avi:jira:commented:issue',
  'avi:jira:deleted:comment',
  'avi:jira:created:worklog',
  'avi:jira:updated:worklog',
  'avi:jira:deleted:worklog',
  'avi:jira:created:issuelink',
  'avi:jira:deleted:issuelink',
  'avi:jira:created:attachment',
  'avi:jira:deleted:attachment',
  'avi:jira:assigned:issue',
];

export interface EntityPropertyPath {
  entity: PropertyEntity;
  key: string;
  segments: string[];
  /** The path as `payload.include.propertyPaths` writes it, normalised: `issue.properties['k'].a.b`. */
  path: string;
}

function propertyPath(entity: string, key: string, segments: string[], fail: (message: string) => never): EntityPropertyPath {
  if (!(PROPERTY_ENTITIES as readonly string[]).includes(entity)) fail(`entity properties of "${entity}" cannot be read; use ${PROPERTY_ENTITIES.join(', ')}`);
  const parts = segments.flatMap((segment) => segment.split('.'));
  if (!key || parts.some((part) => !part)) fail('an entity property path has an empty key or segment');
  return { entity: entity as PropertyEntity, key, segments: parts, path: `${entity}.properties['${key}']${parts.map((p) => `.${p}`).join('')}` };
}

/** The names along a member chain from its root (`event`, `runtime`, ...); undefined past a call or parentheses; null for a computed part. */
function chainNames(node: Node): Array<string | null> | undefined {
  if (node.type === 'Identifier') return [node.name as string];
  if (node.type !== 'MemberExpression') return undefined;
  const inner = chainNames(node.object as Node);
  if (!inner) return undefined;
  const property = node.property as Node;
  const name = !node.computed ? (property.name as string) : property.type === 'Literal' && typeof property.value === 'string' ? property.value : null;
  return [...inner, name];
}

/**
 * The entity property path a member expression reads in full, when it starts at `event.runtime`;
 * throws for one that is not written out or names no property.
 */
function runtimePathOf(node: Node): EntityPropertyPath | undefined {
  const chain = chainNames(node);
  if (!chain || chain[0] !== 'event' || chain[1] !== 'runtime') return undefined;
  const fail = (message: string): never => {
    throw new JiraExpressionError(message);
  };
  if (chain.includes(null)) fail('entity property paths must be written out, not computed');
  const [, , entity, properties, key, ...segments] = chain as string[];
  if (properties !== 'properties' || key === undefined) fail("event.runtime is read as event.runtime.<entity>.properties['<key>']");
  return propertyPath(entity, key, segments, fail);
}

/** The entity property paths a filter expression reads, each once. */
export function entityPropertyPaths(expression: string): EntityPropertyPath[] {
  const found = new Map<string, EntityPropertyPath>();
  const visit = (node: unknown, parent?: Node): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => visit(child, parent));
    const n = node as Node;
    if (typeof n.type !== 'string') return;
    // A method's name is not part of the path it is called on.
    const isMethod = parent?.type === 'CallExpression' && parent.callee === n && n.type === 'MemberExpression';
    const path = n.type === 'MemberExpression' && !isMethod ? runtimePathOf(n) : undefined;
    if (path) {
      found.set(path.path, path);
      return;
    }
    for (const [key, child] of Object.entries(n)) if (key !== 'type' && key !== 'start' && key !== 'end') visit(child, n);
  };
  visit(parseJiraExpression(expression));
  return [...found.values()];
}

/** Parses one `payload.include.propertyPaths` entry (written without `event.runtime.`). */
export function parsePropertyPathEntry(entry: string): EntityPropertyPath {
  const [path] = entityPropertyPaths(`event.runtime.${entry} == null`);
  if (!path) throw new JiraExpressionError(`"${entry}" is not an entity property path`);
  return path;
}

const isPrimitive = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** What Forge hands the filter for one path: a primitive or a list of primitives, else null. */
export function resolvePropertyPath(propertyValue: unknown, segments: string[]): Value {
  let value: unknown = propertyValue;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return null;
    value = (value as Record<string, unknown>)[segment];
  }
  if (value === undefined) return null;
  if (isPrimitive(value)) return value as Value;
  if (Array.isArray(value) && value.every(isPrimitive)) return value as Value[];
  return null;
}

/**
 * The `event.runtime` a filter sees: the value of each path it names (by `path`), read through
 * `read` (the stored property as of the moment the platform looked).
 */
export function runtimeForPaths(paths: EntityPropertyPath[], read: (entity: PropertyEntity, key: string) => unknown): Record<string, Value> {
  const stored = new Map<string, unknown>();
  const runtime: Record<string, Value> = {};
  for (const path of paths) {
    const id = `${path.entity}\u0000${path.key}`;
    if (!stored.has(id)) stored.set(id, read(path.entity, path.key));
    runtime[path.path] = resolvePropertyPath(stored.get(id), path.segments);
  }
  return runtime;
}

interface TriggerWithPaths {
  key: string;
  events: string[];
  filter?: { expression?: string };
  payload?: { include?: { propertyPaths?: string[] } };
}

/**
 * What the docs' limits on entity property paths refuse, across a manifest's trigger modules: more
 * than 5 distinct paths (filters and `payload.include.propertyPaths` together, each path once), a
 * path that is not one, and a trigger that reads paths on events that do not support them.
 */
export function entityPropertyPathProblems(triggers: TriggerWithPaths[]): { paths: string[]; problems: string[] } {
  const paths = new Set<string>();
  const problems: string[] = [];
  for (const trigger of triggers) {
    const own: EntityPropertyPath[] = [];
    try {
      if (trigger.filter?.expression) own.push(...entityPropertyPaths(trigger.filter.expression));
      for (const entry of trigger.payload?.include?.propertyPaths ?? []) own.push(parsePropertyPathEntry(entry));
    } catch (error) {
      problems.push(`${trigger.key}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (own.length === 0) continue;
    own.forEach((path) => paths.add(path.path));
    const unsupported = trigger.events.filter((event) => !ENTITY_PROPERTY_EVENTS.includes(event));
    if (unsupported.length) problems.push(`${trigger.key}: entity properties cannot be read on ${unsupported.join(', ')}`);
  }
  if (paths.size > MAX_ENTITY_PROPERTY_PATHS) problems.push(`${paths.size} distinct entity property paths across the triggers (at most ${MAX_ENTITY_PROPERTY_PATHS})`);
  return { paths: [...paths], problems };
}
