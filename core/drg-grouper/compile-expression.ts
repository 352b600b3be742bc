import type { Expr } from './expression.ts';

/** The record fields a condition may read as `record.<field>`. */
export const RECORD_FIELDS = ['gender', 'age', 'ageDay', 'weight', 'zdList', 'ssList'] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** What a compiled condition reads: the record, and the values its rule's `let` computed. */
export interface EvalContext {
  readonly record: { readonly [F in RecordField]?: unknown };
  readonly locals: Record<string, unknown>;
  /** What a function computed once for the record (e.g. its complications), kept for later rules. */
  memo?: unknown;
}

/** A compiled expression; `param` is the argument of the arrow function it sits in, if any. */
export type Compiled = (ctx: EvalContext, param?: unknown) => unknown;

/**
 * A code list of a rule (`adrg_zd`, `SS_VALID`): its items in order, and a hashed set and first
 * positions built once at load, so `includes` and `indexOf` are look-ups, not scans.
 */
export class CodeList {
  readonly set: ReadonlySet<string>;
  private positions: Map<string, number> | undefined;
  constructor(readonly items: readonly string[]) {
    this.set = new Set(items);
  }
  /** Where `code` first appears (as `Array.prototype.indexOf`), -1 if nowhere. */
  indexOf(code: unknown): number {
    if (!this.positions) {
      this.positions = new Map();
      this.items.forEach((item, i) => {
        if (!this.positions!.has(item)) this.positions!.set(item, i);
      });
    }
    return this.positions.get(code as string) ?? -1;
  }
}

/** The names a condition may use besides `record`, and the functions it may call. */
export interface CompileScope {
  readonly lists: ReadonlyMap<string, CodeList>;
  /** Names assigned by the rule's `let`, read from `ctx.locals`. */
  readonly locals: ReadonlySet<string>;
  /** Names computed from the record on demand (`trauma_regions_matched`). */
  readonly computed: ReadonlyMap<string, (ctx: EvalContext) => unknown>;
  /** Functions of two arguments (`has_mcc`, `has_cc`). */
  readonly functions: ReadonlyMap<string, RuleFunction>;
}

/**
 * A function rules call as `f(a, b)`. Called as `f(record.zdList[0], record.zdList.slice(1))`
 * (principal, the other diagnoses), its `ofRecord` form is used instead, which may compute once
 * per record and keep the result in `ctx.memo`.
 */
export interface RuleFunction {
  (a: unknown, b: unknown): boolean;
  readonly ofRecord?: (ctx: EvalContext) => boolean;
}

/** Whether `args` are exactly `record.zdList[0], record.zdList.slice(1)`. */
function principalAndOthers(args: readonly Expr[]): boolean {
  const zdList = (e: Expr | undefined) =>
    e?.kind === 'member' && e.property === 'zdList' && e.object.kind === 'name' && e.object.name === 'record';
  const [a, b] = args;
  return (
    args.length === 2 &&
    a?.kind === 'index' &&
    zdList(a.object) &&
    a.index.kind === 'literal' &&
    a.index.value === 0 &&
    b?.kind === 'call' &&
    b.callee.kind === 'member' &&
    b.callee.property === 'slice' &&
    zdList(b.callee.object) &&
    b.args.length === 1 &&
    b.args[0]!.kind === 'literal' &&
    b.args[0]!.value === 1
  );
}

/** A name, operator or call the vocabulary does not have; the caller adds which rule. */
export class UnknownVocabularyError extends Error {}

function asArray(value: unknown): readonly unknown[] {
  if (value instanceof CodeList) return value.items;
  if (Array.isArray(value)) return value;
  throw new UnknownVocabularyError(`expected a list, got ${JSON.stringify(value)}`);
}

function includes(collection: unknown, x: unknown): boolean {
  if (collection instanceof CodeList) return collection.set.has(x as string);
  return asArray(collection).includes(x);
}

/** OpenDRG's `intersect(A, B)`: some element of A is in B (B's hashed set when B is a rule list). */
function intersect(a: unknown, b: unknown): boolean {
  if (a instanceof CodeList && !(b instanceof CodeList)) return intersect(b, a);
  for (const x of asArray(a)) if (includes(b, x)) return true;
  return false;
}

// Compared as JavaScript compares them (an absent weight compared with a number is false).
/* eslint-disable eqeqeq */
const BINARY: Record<string, (a: any, b: any) => boolean> = {
  '==': (a, b) => a == b,
  '!=': (a, b) => a != b,
  '===': (a, b) => a === b,
  '!==': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
/* eslint-enable eqeqeq */

/**
 * Compiles a parsed condition into a closure. Membership in a rule's list compiles to a hashed
 * look-up; anything outside the vocabulary (an unknown name, method or function) throws
 * `UnknownVocabularyError` here, at load, never while grouping.
 */
export function compileExpression(expr: Expr, scope: CompileScope, param?: string): Compiled {
  const compile = (e: Expr): Compiled => compileExpression(e, scope, param);
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value;
      return () => value;
    }
    case 'name': {
      const name = expr.name;
      if (name === param) return (_c, p) => p;
      const list = scope.lists.get(name);
      if (list) return () => list;
      if (scope.locals.has(name)) return (c) => c.locals[name];
      const computed = scope.computed.get(name);
      if (computed) return computed;
      if (name === 'record') throw new UnknownVocabularyError(`'record' is only read as record.<field>`);
      throw new UnknownVocabularyError(`unknown name '${name}'`);
    }
    case 'member': {
      if (expr.object.kind === 'name' && expr.object.name === 'record' && param !== 'record') {
        const field = expr.property as RecordField;
        if (!RECORD_FIELDS.includes(field))
          throw new UnknownVocabularyError(
            `unknown record field '${expr.property}' (known: ${RECORD_FIELDS.join(', ')})`,
          );
        return (c) => c.record[field];
      }
      if (expr.property === 'length') {
        const object = compile(expr.object);
        return (c, p) => asArray(object(c, p)).length;
      }
      throw new UnknownVocabularyError(`unknown property '.${expr.property}'`);
    }
    case 'index': {
      const object = compile(expr.object);
      if (expr.index.kind === 'literal' && typeof expr.index.value === 'number') {
        const i = expr.index.value;
        return (c, p) => asArray(object(c, p))[i];
      }
      const index = compile(expr.index);
      return (c, p) => {
        const i = index(c, p);
        return typeof i === 'number' ? asArray(object(c, p))[i] : undefined;
      };
    }
    case 'call':
      return compileCall(expr, scope, param);
    case 'not': {
      const operand = compile(expr.operand);
      return (c, p) => !operand(c, p);
    }
    case 'logical': {
      const left = compile(expr.left);
      const right = compile(expr.right);
      return expr.operator === '&&'
        ? (c, p) => left(c, p) && right(c, p)
        : (c, p) => left(c, p) || right(c, p);
    }
    case 'binary': {
      const op = BINARY[expr.operator];
      if (!op) throw new UnknownVocabularyError(`unknown operator '${expr.operator}'`);
      const left = compile(expr.left);
      const right = compile(expr.right);
      return (c, p) => op(left(c, p), right(c, p));
    }
    case 'arrow':
      throw new UnknownVocabularyError('an arrow function is only allowed as the argument of filter or map');
  }
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>, scope: CompileScope, param?: string): Compiled {
  const compile = (e: Expr): Compiled => compileExpression(e, scope, param);
  const arity = (n: number, what: string) => {
    if (expr.args.length !== n) throw new UnknownVocabularyError(`${what} takes ${n} argument(s)`);
  };
  const { callee } = expr;
  if (callee.kind === 'name') {
    if (callee.name === 'intersect') {
      arity(2, 'intersect');
      const [a, b] = expr.args.map(compile) as [Compiled, Compiled];
      return (c, p) => intersect(a(c, p), b(c, p));
    }
    const fn = scope.functions.get(callee.name);
    if (!fn) throw new UnknownVocabularyError(`unknown function '${callee.name}'`);
    arity(2, callee.name);
    const ofRecord = fn.ofRecord;
    if (ofRecord && principalAndOthers(expr.args)) return (c) => ofRecord(c);
    const [a, b] = expr.args.map(compile) as [Compiled, Compiled];
    return (c, p) => fn(a(c, p), b(c, p));
  }
  if (callee.kind !== 'member')
    throw new UnknownVocabularyError('only functions and list methods are called');
  const method = callee.property;
  // A rule's own list, known at load: its hashed set and positions are used directly.
  const list = callee.object.kind === 'name' ? scope.lists.get(callee.object.name) : undefined;
  const object = list ? undefined : compile(callee.object);
  switch (method) {
    case 'includes': {
      arity(1, 'includes');
      const x = compile(expr.args[0]!);
      if (list) {
        const set = list.set;
        return (c, p) => set.has(x(c, p) as string);
      }
      return (c, p) => includes(object!(c, p), x(c, p));
    }
    case 'indexOf': {
      arity(1, 'indexOf');
      const x = compile(expr.args[0]!);
      if (list) return (c, p) => list.indexOf(x(c, p));
      return (c, p) => asArray(object!(c, p)).indexOf(x(c, p));
    }
    case 'slice': {
      const bounds = expr.args.map((a) => {
        if (a.kind !== 'literal' || typeof a.value !== 'number')
          throw new UnknownVocabularyError('slice takes whole-number bounds');
        return a.value;
      });
      const of = object ?? (() => list);
      return (c, p) => asArray(of(c, p)).slice(...bounds);
    }
    case 'filter':
    case 'map': {
      arity(1, method);
      const fn = expr.args[0]!;
      if (fn.kind !== 'arrow') throw new UnknownVocabularyError(`${method} takes an arrow function`);
      if (param !== undefined) throw new UnknownVocabularyError('arrow functions do not nest');
      const body = compileExpression(fn.body, scope, fn.param);
      const of = object ?? (() => list);
      return method === 'filter'
        ? (c, p) => asArray(of(c, p)).filter((x) => body(c, x))
        : (c, p) => asArray(of(c, p)).map((x) => body(c, x));
    }
    default:
      throw new UnknownVocabularyError(`unknown method '.${method}()'`);
  }
}
