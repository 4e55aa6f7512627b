/**
 * The condition language of the post-loan warning rules (`when:` in policy/warning-rules.yaml): a
 * small, closed expression language over named signals, so a lender writes
 * `days_past_due > 30 and prev_days_past_due <= 30` or `pd >= 2 * prev_pd` and the product checks
 * every name and type before any build uses it (no SQL from a policy file reaches the engine).
 *
 * Grammar (keywords in any case):
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | compare
 *   compare := sum (('=' | '<>' | '!=' | '<' | '<=' | '>' | '>=') sum | 'is' ['not'] 'null')?
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := '-' unary | atom
 *   atom    := number | 'text' | true | false | signal | '(' expr ')'
 * Types: arithmetic and < <= > >= on numbers; = and <> on two values of one type; and / or / not
 * on booleans; the whole condition must be a boolean.
 */

/** A parsed node. */
export type RuleNode =
  | { readonly k: 'or' | 'and'; readonly items: readonly RuleNode[] }
  | { readonly k: 'not'; readonly item: RuleNode }
  | { readonly k: 'cmp'; readonly op: '=' | '<>' | '<' | '<=' | '>' | '>='; readonly left: RuleNode; readonly right: RuleNode }
  | { readonly k: 'arith'; readonly op: '+' | '-' | '*' | '/'; readonly left: RuleNode; readonly right: RuleNode }
  | { readonly k: 'neg'; readonly item: RuleNode }
  | { readonly k: 'isnull'; readonly item: RuleNode; readonly negated: boolean }
  | { readonly k: 'num'; readonly value: number }
  | { readonly k: 'str'; readonly value: string }
  | { readonly k: 'bool'; readonly value: boolean }
  | { readonly k: 'signal'; readonly name: string };

/** A checked condition: its text as written, the tree, and the signals it reads. */
export interface RuleExpression {
  readonly text: string;
  readonly ast: RuleNode;
  readonly signals: readonly string[];
}

/** The type of each name a condition may use. */
export type SignalTypes = ReadonlyMap<string, 'number' | 'boolean' | 'text'>;

/** A problem in a condition: what is wrong and how to fix it (the caller adds file and line). */
export class RuleExpressionError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

type Token = { t: 'num'; v: number; at: number } | { t: 'str'; v: string; at: number } | { t: 'word'; v: string; at: number } | { t: 'op'; v: string; at: number } | { t: 'end'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'true', 'false']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(text.slice(i));
    if (num) {
      if (/^[%％]/.test(text.slice(i + num[0].length))) {
        throw new RuleExpressionError(`"${num[0]}%" at character ${i + 1}: percentages are not numbers here.`, `write ${Number(num[0]) / 100} for ${num[0]}%.`);
      }
      out.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0], at: i });
      i += word[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new RuleExpressionError(`the text starting at character ${i + 1} has no closing ${c}.`, `close it with ${c}.`);
      out.push({ t: 'str', v: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = /^(<=|>=|<>|!=|==|[=<>+\-*/()])/.exec(text.slice(i));
    if (op) {
      if (op[0] === '==') throw new RuleExpressionError(`"==" at character ${i + 1}.`, 'write a single "=" to compare.');
      out.push({ t: 'op', v: op[0] === '!=' ? '<>' : op[0], at: i });
      i += op[0].length;
      continue;
    }
    const hint = c === '&' ? 'write "and".' : c === '|' ? 'write "or".' : c === '!' ? 'write "not".' : 'use signals, numbers, quoted text, and / or / not, comparisons (= <> < <= > >=) and + - * /.';
    throw new RuleExpressionError(`unexpected "${c}" at character ${i + 1}.`, hint);
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `name` (edit distance ≤ 3, or one contains the other), if any. */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  let best: { n: string; d: number } | undefined;
  for (const k of known) {
    const d = k.includes(name) || name.includes(k) ? Math.abs(k.length - name.length) / 2 : distance(name.toLowerCase(), k);
    if (d <= 3 && (!best || d < best.d)) best = { n: k, d };
  }
  return best?.n;
}

/**
 * Parses and type-checks a rule condition against the signal names and types. Throws
 * {@link RuleExpressionError} (message and fix) on a syntax error, an unknown signal (naming the
 * nearest one), or a type mismatch.
 *
 * @example
 * parseRuleExpression('pd >= 2 * prev_pd', new Map([['pd', 'number'], ['prev_pd', 'number']])).signals; // ['pd', 'prev_pd']
 */
export function parseRuleExpression(text: string, types: SignalTypes): RuleExpression {
  if (typeof text !== 'string' || text.trim() === '') throw new RuleExpressionError('the condition is empty.', 'write a condition, e.g. "days_past_due > 30".');
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p]!;
  const isWord = (w: string) => peek().t === 'word' && (peek() as { v: string }).v.toLowerCase() === w;
  const isOp = (...ops: string[]) => peek().t === 'op' && ops.includes((peek() as { v: string }).v);
  const where = (tk: Token) => (tk.t === 'end' ? 'at the end' : `at character ${tk.at + 1}`);
  const describe = (tk: Token) => (tk.t === 'end' ? 'the end of the condition' : `"${tk.t === 'str' ? `'${tk.v}'` : tk.v}"`);
  const signals = new Set<string>();

  const orExpr = (): RuleNode => {
    const items = [andExpr()];
    while (isWord('or')) {
      p++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  };
  const andExpr = (): RuleNode => {
    const items = [notExpr()];
    while (isWord('and')) {
      p++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  };
  const notExpr = (): RuleNode => {
    if (isWord('not')) {
      p++;
      return { k: 'not', item: notExpr() };
    }
    return compare();
  };
  const compare = (): RuleNode => {
    const left = sum();
    if (isOp('=', '<>', '<', '<=', '>', '>=')) {
      const op = (tokens[p++] as { v: string }).v as '=' | '<>' | '<' | '<=' | '>' | '>=';
      return { k: 'cmp', op, left, right: sum() };
    }
    if (isWord('is')) {
      p++;
      let negated = false;
      if (isWord('not')) {
        p++;
        negated = true;
      }
      if (!isWord('null')) throw new RuleExpressionError(`expected "null" after "is${negated ? ' not' : ''}" ${where(peek())}, found ${describe(peek())}.`, 'write "is null" or "is not null".');
      p++;
      return { k: 'isnull', item: left, negated };
    }
    return left;
  };
  const sum = (): RuleNode => {
    let left = product();
    while (isOp('+', '-')) {
      const op = (tokens[p++] as { v: string }).v as '+' | '-';
      left = { k: 'arith', op, left, right: product() };
    }
    return left;
  };
  const product = (): RuleNode => {
    let left = unary();
    while (isOp('*', '/')) {
      const op = (tokens[p++] as { v: string }).v as '*' | '/';
      left = { k: 'arith', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): RuleNode => {
    if (isOp('-')) {
      p++;
      return { k: 'neg', item: unary() };
    }
    return atom();
  };
  const atom = (): RuleNode => {
    const tk = tokens[p]!;
    if (tk.t === 'num') {
      p++;
      return { k: 'num', value: tk.v };
    }
    if (tk.t === 'str') {
      p++;
      return { k: 'str', value: tk.v };
    }
    if (tk.t === 'op' && tk.v === '(') {
      p++;
      const inner = orExpr();
      if (!isOp(')')) throw new RuleExpressionError(`expected ")" ${where(peek())}, found ${describe(peek())}.`, 'close every "(" with ")".');
      p++;
      return inner;
    }
    if (tk.t === 'word') {
      const w = tk.v.toLowerCase();
      if (w === 'true' || w === 'false') {
        p++;
        return { k: 'bool', value: w === 'true' };
      }
      if (KEYWORDS.has(w)) throw new RuleExpressionError(`"${tk.v}" ${where(tk)} where a signal, a number or a text was expected.`, 'put a signal, a number or a quoted text there (and / or join two conditions).');
      if (!types.has(tk.v)) {
        const near = nearestName(tk.v, types.keys());
        throw new RuleExpressionError(
          `unknown signal "${tk.v}" ${where(tk)}.`,
          near ? `did you mean "${near}"? The signals are listed in docs/monitoring.md.` : `use one of ${[...types.keys()].join(', ')} (docs/monitoring.md).`,
        );
      }
      p++;
      signals.add(tk.v);
      return { k: 'signal', name: tk.v };
    }
    throw new RuleExpressionError(`expected a signal, a number or a text ${where(tk)}, found ${describe(tk)}.`, 'complete the condition, e.g. "days_past_due > 30".');
  };

  const ast = orExpr();
  if (peek().t !== 'end') {
    const tk = peek();
    throw new RuleExpressionError(`unexpected ${describe(tk)} ${where(tk)}.`, tk.t === 'word' ? 'join two conditions with "and" or "or".' : 'remove it or complete the expression before it.');
  }
  const type = typeOf(ast, types);
  if (type !== 'boolean') throw new RuleExpressionError(`the condition is a ${type}, not true or false.`, 'compare it, e.g. "days_past_due > 30".');
  return { text: text.trim(), ast, signals: [...signals] };
}

function typeOf(n: RuleNode, types: SignalTypes): 'number' | 'boolean' | 'text' {
  const expect = (child: RuleNode, want: 'number' | 'boolean', what: string) => {
    const t = typeOf(child, types);
    if (t !== want) throw new RuleExpressionError(`${what} needs ${want === 'number' ? 'numbers' : 'true/false conditions'}, but ${show(child)} is ${t === 'text' ? 'a text' : t === 'number' ? 'a number' : 'true/false'}.`, want === 'number' ? 'compare or calculate numbers only.' : `compare it first, e.g. "${show(child)} > 0".`);
  };
  switch (n.k) {
    case 'or':
    case 'and':
      for (const i of n.items) expect(i, 'boolean', `"${n.k}"`);
      return 'boolean';
    case 'not':
      expect(n.item, 'boolean', '"not"');
      return 'boolean';
    case 'cmp': {
      const l = typeOf(n.left, types);
      const r = typeOf(n.right, types);
      if (l !== r) throw new RuleExpressionError(`${show(n.left)} ${n.op} ${show(n.right)} compares ${article(l)} with ${article(r)}.`, l === 'text' || r === 'text' ? "quote a text value, e.g. product_id = 'car'." : 'compare values of the same kind.');
      if (l !== 'number' && !['=', '<>'].includes(n.op)) throw new RuleExpressionError(`"${n.op}" needs numbers, but ${show(n.left)} is ${article(l)}.`, 'use = or <> here.');
      return 'boolean';
    }
    case 'arith':
      expect(n.left, 'number', `"${n.op}"`);
      expect(n.right, 'number', `"${n.op}"`);
      return 'number';
    case 'neg':
      expect(n.item, 'number', '"-"');
      return 'number';
    case 'isnull':
      typeOf(n.item, types);
      return 'boolean';
    case 'num':
      return 'number';
    case 'str':
      return 'text';
    case 'bool':
      return 'boolean';
    case 'signal':
      return types.get(n.name)!;
  }
}

const article = (t: string) => (t === 'number' ? 'a number' : t === 'text' ? 'a text' : 'true/false');

function show(n: RuleNode): string {
  switch (n.k) {
    case 'signal':
      return n.name;
    case 'num':
      return String(n.value);
    case 'str':
      return `'${n.value}'`;
    case 'bool':
      return String(n.value);
    default:
      return 'the expression';
  }
}
