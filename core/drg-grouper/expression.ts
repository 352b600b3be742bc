/**
 * The condition language of a grouping rule set: the small subset of JavaScript expressions that
 * OpenDRG's rules are written in (`mdc_zd.includes(record.zdList[0]) && record.age==0`,
 * `intersect(record.ssList,adrg_ss)`, `x=>adrg_ss.includes(x)` inside a `let`). Rule text is parsed
 * here into a tree, never evaluated as code; `compile-expression.ts` turns the tree into closures.
 */

export type BinaryOperator = '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'member'; readonly object: Expr; readonly property: string }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'logical'; readonly operator: '&&' | '||'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'arrow'; readonly param: string; readonly body: Expr };

/** One `name=expression` of a rule's `let`. */
export interface Assignment {
  readonly name: string;
  readonly value: Expr;
}

/** Rule text the parser cannot read; the message says where. */
export class ExpressionSyntaxError extends Error {}

type Token =
  | { readonly type: 'name'; readonly text: string; readonly at: number }
  | { readonly type: 'number'; readonly value: number; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly value: string; readonly text: string; readonly at: number }
  | { readonly type: 'punct'; readonly text: string; readonly at: number }
  | { readonly type: 'end'; readonly text: ''; readonly at: number };

// Longest first, so `===` is not read as `==` then `=`.
const PUNCTUATORS = [
  '===',
  '!==',
  '==',
  '!=',
  '<=',
  '>=',
  '=>',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '=',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  ';',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i))!;
      tokens.push({ type: 'name', text: m[0], at });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ type: 'number', value: Number(m[0]), text: m[0], at });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionSyntaxError(`unterminated string at position ${at}`);
      const value = text.slice(i + 1, end);
      if (value.includes('\\'))
        throw new ExpressionSyntaxError(`escapes in strings are not supported (position ${at})`);
      tokens.push({ type: 'string', value, text: text.slice(i, end + 1), at });
      i = end + 1;
      continue;
    }
    const punct = PUNCTUATORS.find((p) => text.startsWith(p, i));
    if (!punct) throw new ExpressionSyntaxError(`unexpected character '${c}' at position ${at}`);
    tokens.push({ type: 'punct', text: punct, at });
    i += punct.length;
  }
  tokens.push({ type: 'end', text: '', at: text.length });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'punct' && t.text === text;
  }
  private expect(text: string): void {
    const t = this.next();
    if (t.type !== 'punct' || t.text !== text)
      throw new ExpressionSyntaxError(`expected '${text}' at position ${t.at}, found '${t.text || 'end'}'`);
  }
  private expectName(): string {
    const t = this.next();
    if (t.type !== 'name') throw new ExpressionSyntaxError(`expected a name at position ${t.at}`);
    return t.text;
  }

  atEnd(): boolean {
    return this.peek().type === 'end';
  }
  end(): void {
    const t = this.peek();
    if (t.type !== 'end') throw new ExpressionSyntaxError(`unexpected '${t.text}' at position ${t.at}`);
  }

  assignments(): Assignment[] {
    const out: Assignment[] = [];
    while (!this.atEnd()) {
      const name = this.expectName();
      this.expect('=');
      out.push({ name, value: this.expression() });
      if (this.isPunct(';')) this.next();
      else this.end();
    }
    return out;
  }

  expression(): Expr {
    // An arrow function is only ever an argument (`filter(x=>…)`): `name =>` starts one.
    if (this.peek().type === 'name' && this.isPunct('=>', 1)) {
      const param = this.expectName();
      this.expect('=>');
      return { kind: 'arrow', param, body: this.expression() };
    }
    return this.or();
  }
  private or(): Expr {
    return this.logical('||', () => this.and());
  }
  private and(): Expr {
    return this.logical('&&', () => this.equality());
  }
  private logical(operator: '&&' | '||', operand: () => Expr): Expr {
    let left = operand();
    while (this.isPunct(operator)) {
      this.next();
      left = { kind: 'logical', operator, left, right: operand() };
    }
    return left;
  }
  private equality(): Expr {
    return this.comparisons(['==', '!=', '===', '!=='], () => this.relational());
  }
  private relational(): Expr {
    return this.comparisons(['<', '<=', '>', '>='], () => this.unary());
  }
  /** Left-associative comparisons with these operators over operands read by `operand`. */
  private comparisons(operators: readonly string[], operand: () => Expr): Expr {
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (t.type !== 'punct' || !operators.includes(t.text)) return left;
      this.next();
      left = { kind: 'binary', operator: t.text as BinaryOperator, left, right: operand() };
    }
  }
  private unary(): Expr {
    if (this.isPunct('!')) {
      this.next();
      return { kind: 'not', operand: this.unary() };
    }
    return this.postfix();
  }
  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        expr = { kind: 'member', object: expr, property: this.expectName() };
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.expression();
        this.expect(']');
        expr = { kind: 'index', object: expr, index };
      } else if (this.isPunct('(')) {
        this.next();
        const args: Expr[] = [];
        while (!this.isPunct(')')) {
          args.push(this.expression());
          if (!this.isPunct(')')) this.expect(',');
        }
        this.next();
        expr = { kind: 'call', callee: expr, args };
      } else {
        return expr;
      }
    }
  }
  private primary(): Expr {
    const t = this.next();
    switch (t.type) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: t.value };
      case 'name':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
        return { kind: 'name', name: t.text };
      case 'punct':
        if (t.text === '(') {
          const inner = this.expression();
          this.expect(')');
          return inner;
        }
        throw new ExpressionSyntaxError(`unexpected '${t.text}' at position ${t.at}`);
      default:
        throw new ExpressionSyntaxError('unexpected end of the expression');
    }
  }
}

/** Parses a rule condition (`mdc_zd.includes(record.zdList[0]) && record.gender=="1"`). */
export function parseExpression(text: string): Expr {
  const parser = new Parser(tokenize(text));
  const expr = parser.expression();
  parser.end();
  return expr;
}

/** Parses a rule's `let`: `name=expression`, several separated by `;`. */
export function parseAssignments(text: string): Assignment[] {
  return new Parser(tokenize(text)).assignments();
}

function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'call':
      return [expr.callee, ...expr.args];
    case 'member':
      return [expr.object];
    case 'index':
      return [expr.object, expr.index];
    case 'not':
      return [expr.operand];
    case 'logical':
    case 'binary':
      return [expr.left, expr.right];
    case 'arrow':
      return [expr.body];
    default:
      return [];
  }
}

/** Every function name a tree calls directly (`has_mcc`, `intersect`), to know what a rule depends on. */
export function calledFunctions(expr: Expr, into = new Set<string>()): Set<string> {
  if (expr.kind === 'call' && expr.callee.kind === 'name') into.add(expr.callee.name);
  for (const child of children(expr)) calledFunctions(child, into);
  return into;
}
