/**
 * JQL as the sandbox's Jira reads it: the grammar of Jira's "Advanced search reference - JQL
 * fields / keywords / operators" pages (support.atlassian.com/jira-software-cloud/docs/
 * use-advanced-search-with-jira-query-language-jql/), close enough that what the app writes and
 * what an admin types behave here as on a site:
 *
 *   query     := [or] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
 *   or        := and {(OR | "||" | "|") and}
 *   and       := not {(AND | "&&" | "&") not}
 *   not       := (NOT | "!") not | "(" or ")" | clause
 *   clause    := field operator operand
 *   operator  := = | != | ~ | !~ | > | >= | < | <= | IN | NOT IN | IS | IS NOT
 *   operand   := value | "(" value {, value} ")" | function "(" [args] ")" | EMPTY | NULL
 *
 * AND binds tighter than OR, NOT tighter than AND (the documented precedence). Malformed queries
 * are refused with Jira's wording: "Error in the JQL Query: ...".
 */

export class JqlError extends Error {}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'punct'; text: '(' | ')' | ','; at: number }
  | { kind: 'end'; at: number };

export type Operator = '=' | '!=' | '~' | '!~' | '>' | '>=' | '<' | '<=' | 'IN' | 'NOT IN' | 'IS' | 'IS NOT';

export interface Operand {
  /** Values as written (quotes removed); EMPTY and NULL read as `empty`. */
  values: string[];
  list: boolean;
  empty: boolean;
  /** A function call such as currentUser(). */
  fn?: string;
}

export type Clause =
  | { kind: 'or'; parts: Clause[] }
  | { kind: 'and'; parts: Clause[] }
  | { kind: 'not'; inner: Clause }
  | { kind: 'term'; field: string; op: Operator; operand: Operand; at: number };

export interface ParsedJql {
  where?: Clause;
  orderBy: Array<{ field: string; direction: 'ASC' | 'DESC' }>;
}

/** Words Jira reserves: they cannot be used unquoted as values (JQL reference, "Reserved words"). */
const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'empty', 'null', 'order', 'by', 'asc', 'desc', 'was', 'changed']);

const position = (at: number) => `(line 1, character ${at + 1})`;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        value += text[i];
        i += 1;
      }
      if (i >= text.length) throw new JqlError(`Error in the JQL Query: The quoted string '${value}' has not been completed. ${position(start)}`);
      i += 1;
      tokens.push({ kind: 'string', text: value, at: start });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i += 1;
      continue;
    }
    const op = /^(!=|!~|>=|<=|&&|\|\||=|~|>|<|!|&|\|)/.exec(text.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[1], at: i });
      i += op[1].length;
      continue;
    }
    const word = /^[^\s"'(),=!~<>&|]+/.exec(text.slice(i));
    if (!word) throw new JqlError(`Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead. ${position(i)}`);
    // `issue.property[key].path` and `cf[10010]` keep their brackets.
    tokens.push({ kind: 'word', text: word[0], at: i });
    i += word[0].length;
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

const describe = (token: Token) => (token.kind === 'end' ? 'the end of the query' : `'${token.text}'`);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.i += 1;
    return token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  parse(): ParsedJql {
    const result: ParsedJql = { orderBy: [] };
    if (this.peek().kind !== 'end' && !this.isWord(this.peek(), 'order')) result.where = this.or();
    if (this.isWord(this.peek(), 'order')) {
      this.next();
      if (!this.isWord(this.peek(), 'by')) throw new JqlError(`Error in the JQL Query: Expecting 'by' but got ${describe(this.peek())}. ${position(this.peek().at)}`);
      this.next();
      for (;;) {
        const field = this.next();
        if (field.kind !== 'word' && field.kind !== 'string') throw new JqlError(`Error in the JQL Query: Expecting a field name but got ${describe(field)}. ${position(field.at)}`);
        let direction: 'ASC' | 'DESC' = 'ASC';
        if (this.isWord(this.peek(), 'asc') || this.isWord(this.peek(), 'desc')) direction = (this.next() as { text: string }).text.toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
        result.orderBy.push({ field: field.text, direction });
        const comma = this.peek();
        if (comma.kind !== 'punct' || comma.text !== ',') break;
        this.next();
      }
    }
    const rest = this.peek();
    if (rest.kind !== 'end') {
      if (rest.kind === 'punct' && rest.text === ')') throw new JqlError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got ')'. ${position(rest.at)}`);
      throw new JqlError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got ${describe(rest)}. ${position(rest.at)}`);
    }
    return result;
  }

  private or(): Clause {
    const parts = [this.and()];
    while (this.isWord(this.peek(), 'or') || (this.peek().kind === 'op' && ['||', '|'].includes((this.peek() as { text: string }).text))) {
      this.next();
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  }

  private and(): Clause {
    const parts = [this.not()];
    while (this.isWord(this.peek(), 'and') || (this.peek().kind === 'op' && ['&&', '&'].includes((this.peek() as { text: string }).text))) {
      this.next();
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  }

  private not(): Clause {
    const token = this.peek();
    if (this.isWord(token, 'not') || (token.kind === 'op' && token.text === '!')) {
      this.next();
      return { kind: 'not', inner: this.not() };
    }
    if (token.kind === 'punct' && token.text === '(') {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.kind !== 'punct' || close.text !== ')') {
        if (close.kind === 'end') throw new JqlError("Error in the JQL Query: Expecting ')' before the end of the query.");
        throw new JqlError(`Error in the JQL Query: Expecting ')' but got ${describe(close)}. ${position(close.at)}`);
      }
      return inner;
    }
    return this.clause();
  }

  private clause(): Clause {
    const field = this.next();
    if (field.kind === 'end') throw new JqlError('Error in the JQL Query: Expecting a field name before the end of the query.');
    if ((field.kind !== 'word' && field.kind !== 'string') || (field.kind === 'word' && RESERVED.has(field.text.toLowerCase()))) {
      throw new JqlError(`Error in the JQL Query: Expecting a field name but got ${describe(field)}. ${position(field.at)}`);
    }
    const op = this.operator();
    const operand = this.operand(op, field.text);
    return { kind: 'term', field: field.text, op, operand, at: field.at };
  }

  private operator(): Operator {
    const token = this.next();
    if (token.kind === 'op' && ['=', '!=', '~', '!~', '>', '>=', '<', '<='].includes(token.text)) return token.text as Operator;
    if (this.isWord(token, 'in')) return 'IN';
    if (this.isWord(token, 'is')) {
      if (this.isWord(this.peek(), 'not')) {
        this.next();
        return 'IS NOT';
      }
      return 'IS';
    }
    if (this.isWord(token, 'not') && this.isWord(this.peek(), 'in')) {
      this.next();
      return 'NOT IN';
    }
    if (token.kind === 'end') throw new JqlError('Error in the JQL Query: Expecting operator before the end of the query. The valid operators are \'=\', \'!=\', \'<\', \'>\', \'<=\', \'>=\', \'~\', \'!~\', \'IN\', \'NOT IN\', \'IS\' and \'IS NOT\'.');
    throw new JqlError(`Error in the JQL Query: Expecting operator but got ${describe(token)}. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. ${position(token.at)}`);
  }

  private value(): { text: string; empty: boolean; fn?: string } {
    const token = this.next();
    if (token.kind === 'string') return { text: token.text, empty: false };
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'empty' || lower === 'null') return { text: '', empty: true };
      if (RESERVED.has(lower)) throw new JqlError(`Error in the JQL Query: '${token.text}' is a reserved JQL word. You must surround it in quotation marks to use it in a query. ${position(token.at)}`);
      if (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === '(') {
        this.next();
        const args: string[] = [];
        while (!(this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ')')) {
          const arg = this.next();
          if (arg.kind === 'end') throw new JqlError("Error in the JQL Query: Expecting ')' before the end of the query.");
          if (arg.kind !== 'punct') args.push(arg.text);
        }
        this.next();
        return { text: token.text, empty: false, fn: `${token.text.toLowerCase()}(${args.join(',')})` };
      }
      return { text: token.text, empty: false };
    }
    if (token.kind === 'end') throw new JqlError('Error in the JQL Query: Expecting either a value, list or function before the end of the query.');
    throw new JqlError(`Error in the JQL Query: Expecting either a value, list or function but got ${describe(token)}. ${position(token.at)}`);
  }

  private operand(op: Operator, field: string): Operand {
    if (op === 'IS' || op === 'IS NOT') {
      const token = this.next();
      if (!(this.isWord(token, 'empty') || this.isWord(token, 'null'))) {
        throw new JqlError(`Error in the JQL Query: Expecting 'EMPTY' or 'NULL' after '${op}' but got ${describe(token)}. ${position(token.at)}`);
      }
      return { values: [], list: false, empty: true };
    }
    if (op === 'IN' || op === 'NOT IN') {
      const open = this.peek();
      if (!(open.kind === 'punct' && open.text === '(')) {
        if (open.kind === 'end') throw new JqlError('Error in the JQL Query: Expecting either a value, list or function before the end of the query.');
        const single = this.value();
        if (single.fn) return { values: [single.text], list: true, empty: false, fn: single.fn };
        const written = open.kind === 'string' || open.kind === 'word' ? `"${open.text}"` : '';
        throw new JqlError(`Operator '${op.toLowerCase()}' does not support the non-list value '${written}' for field '${field}'.`);
      }
      this.next();
      const values: string[] = [];
      let empty = false;
      for (;;) {
        const v = this.value();
        if (v.empty) empty = true;
        else values.push(v.text);
        const sep = this.next();
        if (sep.kind === 'punct' && sep.text === ',') continue;
        if (sep.kind === 'punct' && sep.text === ')') break;
        if (sep.kind === 'end') throw new JqlError("Error in the JQL Query: Expecting ')' before the end of the query.");
        throw new JqlError(`Error in the JQL Query: Expecting ',' or ')' but got ${describe(sep)}. ${position(sep.at)}`);
      }
      return { values, list: true, empty };
    }
    const v = this.value();
    return { values: v.empty ? [] : [v.text], list: false, empty: v.empty, ...(v.fn ? { fn: v.fn } : {}) };
  }
}

/** Parses a query, or throws JqlError with Jira's wording. */
export function parseJql(text: string): ParsedJql {
  return new Parser(tokenize(text)).parse();
}

/**
 * What a field holds for one issue, as strings Jira would compare (names and ids both), or a
 * JqlError when the field does not exist or the operator does not apply to it.
 */
export type FieldReader = (field: string, op: Operator, operand: Operand) => { values: string[]; numeric?: boolean; text?: boolean };

/** Evaluates a parsed clause against one issue. */
export function evaluate(clause: Clause, read: FieldReader): boolean {
  switch (clause.kind) {
    case 'or':
      return clause.parts.some((part) => evaluate(part, read));
    case 'and':
      return clause.parts.every((part) => evaluate(part, read));
    case 'not':
      return !evaluate(clause.inner, read);
    case 'term': {
      const { op, operand } = clause;
      const actual = read(clause.field, op, operand);
      const values = actual.values;
      if (op === 'IS') return values.length === 0;
      if (op === 'IS NOT') return values.length > 0;
      if (op === '~' || op === '!~') {
        const needle = (operand.values[0] ?? '').toLowerCase().replace(/\*/g, '');
        const found = values.some((v) => v.toLowerCase().includes(needle));
        return op === '~' ? found : !found;
      }
      if (['>', '>=', '<', '<='].includes(op)) {
        const target = operand.values[0] ?? '';
        return values.some((v) => compare(v, target, actual.numeric === true, op));
      }
      const wanted = operand.values.map((v) => v.toLowerCase());
      const has = values.some((v) => wanted.includes(v.toLowerCase())) || (operand.empty && values.length === 0);
      // Jira: `!=` and NOT IN never match an issue where the field is empty.
      if (op === '!=' || op === 'NOT IN') return values.length > 0 && !has;
      return has;
    }
  }
}

function compare(actual: string, target: string, numeric: boolean, op: Operator): boolean {
  const [a, b] = numeric ? [Number(actual), Number(target)] : [Date.parse(actual), Date.parse(target)];
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

/** Every field a parsed clause names, with its position (for Jira's "does not exist" checks). */
export function fieldsOf(clause: Clause | undefined): Array<Extract<Clause, { kind: 'term' }>> {
  if (!clause) return [];
  if (clause.kind === 'term') return [clause];
  if (clause.kind === 'not') return fieldsOf(clause.inner);
  return clause.parts.flatMap(fieldsOf);
}
