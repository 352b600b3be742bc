import {
  CodeList,
  compileExpression,
  UnknownVocabularyError,
  type CompileScope,
  type Compiled,
  type EvalContext,
  type RuleFunction,
} from './compile-expression.ts';
import {
  calledFunctions,
  ExpressionSyntaxError,
  parseAssignments,
  parseExpression,
  type Expr,
} from './expression.ts';
import { GrouperRuleError, type RuleSet } from './rule-set.ts';

/**
 * One case as the grouper reads it (the fields of OpenDRG's record): gender "1" male, "2" female;
 * age in years and in days; birth weight in grams; diagnoses (principal first) and procedures (main
 * first). An absent number is `undefined`, and compares false with any number.
 */
export interface GrouperRecord {
  readonly gender: string;
  readonly age?: number | undefined;
  readonly ageDay?: number | undefined;
  readonly weight?: number | undefined;
  readonly zdList: readonly string[];
  readonly ssList: readonly string[];
}

/** The statuses as OpenDRG words them (歧义病案 only for rule sets with ambiguous `QY` groups). */
export const GROUP_STATUS = {
  grouped: '分组成功',
  ungrouped: '无法入组',
  checkFailed: '信息校验不通过',
  ambiguous: '歧义病案',
} as const;
export type GroupStatus = (typeof GROUP_STATUS)[keyof typeof GROUP_STATUS];

/** Which step of grouping a reason belongs to. */
export type ReasonStep = 'check' | 'mdc' | 'adrg' | 'complication' | 'exclusion' | 'drg' | 'no_group';

/** One line of the grouping's explanation, in the order the rules were applied. */
export interface GroupReason {
  readonly step: ReasonStep;
  /** The message a coder reads (Chinese). */
  readonly text: string;
}

export interface GroupResult {
  /** `MDCA` … ; `0000` when no MDC took the case. */
  readonly mdc: string;
  /** `AA1` …; `00` when ungrouped. */
  readonly adrg: string;
  /** `AA19` …; `0000` when ungrouped; an ADRG's fallback code when none of its DRGs held. */
  readonly drg: string;
  readonly status: GroupStatus;
  /** Empty when grouped with `{ reasons: false }`. */
  readonly reasons: readonly GroupReason[];
}

export interface GroupOptions {
  /** Explain the result (default true); off for bulk what-if searches. */
  readonly reasons?: boolean;
}

interface CompiledDrg {
  readonly code: string;
  readonly test: Compiled;
  readonly usesMcc: boolean;
  readonly usesCc: boolean;
}

/**
 * What a condition needs of the principal diagnosis and the main procedure: when it is a
 * conjunction with `L.includes(record.zdList[0])` (or `…ssList[0]`), it cannot hold unless the
 * code is in L, so the grouper looks that up before evaluating the rest.
 */
interface Guards {
  readonly zd?: ReadonlySet<string> | undefined;
  readonly ss?: ReadonlySet<string> | undefined;
}

interface CompiledAdrg extends Guards {
  readonly code: string;
  readonly reason: GroupReason;
  readonly lets: readonly { readonly name: string; readonly value: Compiled }[];
  readonly test: Compiled;
  readonly drgs: readonly CompiledDrg[];
  readonly fallback: string;
  /** Whether some DRG of it depends on CC/MCC (then the reasons list them). */
  readonly usesComplications: boolean;
}

interface CompiledMdc extends Guards {
  readonly code: string;
  readonly reason: GroupReason;
  readonly noAdrgReason: GroupReason;
  readonly test: Compiled;
  /** The ADRGs, in order, that can hold for a principal diagnosis (by its code)… */
  readonly byPrincipal: ReadonlyMap<string, readonly CompiledAdrg[]>;
  /** …and for a principal no ADRG guard names. */
  readonly forOthers: readonly CompiledAdrg[];
  /** All its ADRGs, in order. */
  readonly adrgs: readonly CompiledAdrg[];
}

/**
 * Entries in order, indexed by principal diagnosis: for each code some guard names, the entries
 * whose guard admits it (or that have none); for any other code, the unguarded ones. One look-up
 * per record replaces one per entry.
 */
function byPrincipal<T extends Guards>(
  entries: readonly T[],
): { byPrincipal: Map<string, readonly T[]>; forOthers: readonly T[] } {
  const index = new Map<string, readonly T[]>();
  // Codes admitted by the same entries share one array.
  const shared = new Map<string, readonly T[]>();
  for (const e of entries)
    for (const zd of e.zd ?? []) {
      if (index.has(zd)) continue;
      let key = '';
      entries.forEach((b, i) => {
        if (!b.zd || b.zd.has(zd)) key += `${i},`;
      });
      let list = shared.get(key);
      if (!list) shared.set(key, (list = entries.filter((b) => !b.zd || b.zd.has(zd))));
      index.set(zd, list);
    }
  return { byPrincipal: index, forOthers: entries.filter((b) => !b.zd) };
}

function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'logical' && expr.operator === '&&'
    ? [...conjuncts(expr.left), ...conjuncts(expr.right)]
    : [expr];
}

/**
 * The guards of a parsed condition (see `Guards`), from its scope's lists, and the condition
 * without them: the grouper checks a guard by its index before it evaluates the rest.
 */
function splitGuards(expr: Expr, lists: ReadonlyMap<string, CodeList>): { guards: Guards; rest: Expr } {
  const guards: { zd?: ReadonlySet<string>; ss?: ReadonlySet<string> } = {};
  const rest: Expr[] = [];
  for (const c of conjuncts(expr)) {
    const field = guardField(c);
    const list =
      field && c.kind === 'call' && c.callee.kind === 'member' && c.callee.object.kind === 'name'
        ? lists.get(c.callee.object.name)
        : undefined;
    if (field === 'zdList' && list && !guards.zd) guards.zd = list.set;
    else if (field === 'ssList' && list && !guards.ss) guards.ss = list.set;
    else rest.push(c);
  }
  const joined = rest.reduce<Expr | undefined>(
    (left, right) => (left ? { kind: 'logical', operator: '&&', left, right } : right),
    undefined,
  );
  return { guards, rest: joined ?? { kind: 'literal', value: true } };
}

/** `L.includes(record.zdList[0])` → 'zdList' (`…ssList[0]` → 'ssList'), else undefined. */
function guardField(c: Expr): 'zdList' | 'ssList' | undefined {
  if (c.kind !== 'call' || c.callee.kind !== 'member' || c.callee.property !== 'includes') return undefined;
  const arg = c.args[0];
  if (c.callee.object.kind !== 'name' || c.args.length !== 1 || arg?.kind !== 'index') return undefined;
  const { object, index } = arg;
  if (index.kind !== 'literal' || index.value !== 0) return undefined;
  if (object.kind !== 'member' || object.object.kind !== 'name' || object.object.name !== 'record')
    return undefined;
  return object.property === 'zdList' || object.property === 'ssList' ? object.property : undefined;
}

/** The MDCs, and their ADRGs, that a principal diagnosis can reach, in rule order. */
type Route = readonly { readonly mdc: CompiledMdc; readonly adrgs: readonly CompiledAdrg[] }[];

/** What the grouper knows of a principal diagnosis. */
interface Principal {
  readonly route: Route;
  /** Its exclusion table, if it has one. */
  readonly table: string | undefined;
}

/** The evaluation context of one record, with its principal diagnosis looked up once. */
interface GroupContext extends EvalContext {
  readonly principal: Principal;
}

/** A loaded, compiled rule set: `group` only evaluates closures over hashed sets. */
export interface Grouper {
  readonly scheme: string;
  group(record: GrouperRecord, options?: GroupOptions): GroupResult;
  /** Every diagnosis code the rules mention (lists, CC/MCC, exclusions), for what-if searches. */
  readonly knownDiagnoses: readonly string[];
  /** Every procedure code the rules mention (lists, valid procedures). */
  readonly knownProcedures: readonly string[];
  /**
   * What `secondary` counts as beside `principal` (`has_mcc` / `has_cc`): `MCC`, `CC`, or undefined
   * when it is neither or the principal's exclusion table excludes it. Lets a coder (or the demo
   * generator) choose secondary diagnoses for a severity level without grouping whole records.
   *
   * @example
   *   grouper.complicationLevel('J18.900', 'J96.900'); // 'MCC'
   *   grouper.complicationLevel('I63.900', 'I69.300'); // undefined: same exclusion table
   */
  complicationLevel(principal: string, secondary: string): 'MCC' | 'CC' | undefined;
}

const NO_PROCEDURE: readonly string[] = [''];

/** A secondary diagnosis that is a CC or MCC, and whether the principal's exclusion table excludes it. */
interface Complication {
  readonly code: string;
  readonly level: 'CC' | 'MCC';
  readonly table: string;
  readonly excluded: boolean;
}

/** The record's complications, computed once per record (`EvalContext.memo`). */
interface Complications {
  /** The principal diagnosis's exclusion table, if it has one. */
  readonly principalTable: string | undefined;
  readonly list: readonly Complication[];
  /** The first MCC, and the first CC, that count. */
  readonly mcc: Complication | undefined;
  readonly cc: Complication | undefined;
}

/** Inverts `{table: [codes]}` into code → table. */
function tableOf(byTable: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [table, codes] of Object.entries(byTable)) for (const code of codes) map.set(code, table);
  return map;
}

/** OpenDRG's rule for statuses: `0000` and `X00…` are ungrouped, `XQY…` ambiguous. */
function statusOf(drg: string): GroupStatus {
  const part = drg.slice(1, 3);
  if (drg === '0000' || part === '00') return GROUP_STATUS.ungrouped;
  if (part === 'QY') return GROUP_STATUS.ambiguous;
  return GROUP_STATUS.grouped;
}

/**
 * Compiles a rule set (`readRuleSet`) into a grouper. Every condition is parsed and compiled once
 * here; an unknown name, function or operator, or an MDC/ADRG/DRG that a rule names but the set
 * lacks, stops the load with the rule named.
 *
 * @example
 *   const grouper = createGrouper(readRuleSet());
 *   grouper.group({ gender: '1', age: 61, ageDay: 22510, zdList: ['S22.400'], ssList: [] }).drg; // 'IZ19'
 */
export function createGrouper(ruleSet: RuleSet): Grouper {
  const { rules } = ruleSet;
  const mccTable = tableOf(ruleSet.complications.MCC);
  const ccTable = tableOf(ruleSet.complications.CC);
  const principalTable = tableOf(ruleSet.principal_exclusions);
  // One look-up per diagnosis: its MCC and CC tables (a code may in principle be both).
  const levelsOf = new Map<string, { MCC?: string; CC?: string }>();
  for (const [level, table] of [
    ['MCC', mccTable],
    ['CC', ccTable],
  ] as const)
    for (const [code, t] of table) levelsOf.set(code, { ...levelsOf.get(code), [level]: t });

  /**
   * The CC/MCC among `diagnoses` from position `start` on, each excluded when its table is the
   * principal's (`excludedTable`; a principal with no table excludes nothing).
   */
  const complicationsOf = (
    excludedTable: string | undefined,
    diagnoses: readonly string[],
    start: number,
  ): Complications => {
    const list: Complication[] = [];
    let mcc: Complication | undefined;
    let cc: Complication | undefined;
    for (let i = start; i < diagnoses.length; i++) {
      const code = diagnoses[i]!;
      const levels = levelsOf.get(code);
      if (!levels) continue;
      for (const level of ['MCC', 'CC'] as const) {
        const table = levels[level];
        if (table === undefined) continue;
        const c = { code, level, table, excluded: table === excludedTable };
        list.push(c);
        if (!c.excluded && level === 'MCC') mcc ??= c;
        if (!c.excluded && level === 'CC') cc ??= c;
      }
    }
    return { principalTable: excludedTable, list, mcc, cc };
  };
  const recordComplications = (ctx: EvalContext): Complications => {
    if (ctx.memo === undefined)
      ctx.memo = complicationsOf(
        (ctx as GroupContext).principal.table,
        ctx.record.zdList as readonly string[],
        1,
      );
    return ctx.memo as Complications;
  };
  const complicationFunction = (level: 'MCC' | 'CC'): RuleFunction =>
    Object.assign(
      (principal: unknown, others: unknown) => {
        const c = complicationsOf(principalTable.get(principal as string), others as readonly string[], 0);
        return (level === 'MCC' ? c.mcc : c.cc) !== undefined;
      },
      {
        ofRecord: (ctx: EvalContext) => {
          const c = recordComplications(ctx);
          return (level === 'MCC' ? c.mcc : c.cc) !== undefined;
        },
      },
    );
  const validProcedures = new CodeList(ruleSet.valid_procedures);

  const functions = new Map<string, RuleFunction>([
    ['has_mcc', complicationFunction('MCC')],
    ['has_cc', complicationFunction('CC')],
  ]);

  const compile = (
    what: string,
    text: string,
    lists: Readonly<Record<string, readonly string[]>>,
    extra: { locals?: Set<string>; computed?: Map<string, (ctx: EvalContext) => unknown> } = {},
  ) => {
    const scope: CompileScope = {
      lists: new Map<string, CodeList>([
        ['SS_VALID', validProcedures],
        ...Object.entries(lists).map(([name, items]) => [name, new CodeList(items)] as const),
      ]),
      locals: extra.locals ?? new Set(),
      computed: extra.computed ?? new Map(),
      functions,
    };
    try {
      const ast = parseExpression(text);
      // Checked against the rule's scope in full, then compiled without the guards.
      compileExpression(ast, scope);
      const { guards, rest } = splitGuards(ast, scope.lists);
      return { test: compileExpression(rest, scope), calls: calledFunctions(ast), scope, guards };
    } catch (error) {
      if (error instanceof ExpressionSyntaxError || error instanceof UnknownVocabularyError)
        throw new GrouperRuleError(`rule ${what}: ${error.message} in "${text}"`);
      throw error;
    }
  };

  const compileDrg = (adrg: string, code: string): CompiledDrg => {
    const condition = rules.drgs[code];
    if (condition === undefined)
      throw new GrouperRuleError(`rule ADRG ${adrg}: DRG ${code} is not defined in drgs`);
    const { test, calls } = compile(`DRG ${code}`, condition, {});
    return { code, test, usesMcc: calls.has('has_mcc'), usesCc: calls.has('has_cc') };
  };

  const compileAdrg = (mdc: string, code: string): CompiledAdrg => {
    const rule = rules.adrgs[code];
    if (!rule) throw new GrouperRuleError(`rule ${mdc}: ADRG ${code} is not defined in adrgs`);
    const what = `ADRG ${code}`;
    const assignments = (() => {
      try {
        return rule.let ? parseAssignments(rule.let) : [];
      } catch (error) {
        throw new GrouperRuleError(`rule ${what}: ${(error as Error).message} in let "${rule.let}"`);
      }
    })();
    const locals = new Set(assignments.map((a) => a.name));
    const { test, scope, guards } = compile(what, rule.condition, rule.lists, { locals });
    const lets = assignments.map((a) => {
      try {
        return { name: a.name, value: compileExpression(a.value, scope) };
      } catch (error) {
        throw new GrouperRuleError(`rule ${what}: ${(error as Error).message} in let "${rule.let}"`);
      }
    });
    const drgs = rule.drgs.map((d) => compileDrg(code, d));
    return {
      ...guards,
      code,
      reason: { step: 'adrg', text: rule.message },
      lets,
      test,
      drgs,
      fallback: rule.no_drg_matched_returns,
      usesComplications: drgs.some((d) => d.usesMcc || d.usesCc),
    };
  };

  const mdcs: CompiledMdc[] = rules.mdc_order.map((code) => {
    const rule = rules.mdcs[code];
    if (!rule) throw new GrouperRuleError(`mdc_order: MDC ${code} is not defined in mdcs`);
    const computed = new Map<string, (ctx: EvalContext) => unknown>();
    if (rule.trauma_region_of) {
      const regionOf = new Map(Object.entries(rule.trauma_region_of));
      // The number of distinct body regions among all the record's diagnoses.
      computed.set('trauma_regions_matched', (ctx) => {
        const seen = new Set<string>();
        for (const zd of ctx.record.zdList as readonly string[]) {
          const region = regionOf.get(zd);
          if (region !== undefined) seen.add(region);
        }
        return seen.size;
      });
    }
    const { test, guards } = compile(code, rule.condition, rule.lists, { computed });
    const adrgs = rule.adrgs.map((a) => compileAdrg(code, a));
    return {
      ...guards,
      code,
      reason: { step: 'mdc', text: rule.message },
      noAdrgReason: { step: 'no_group', text: `${code} 下无符合条件的ADRG，继续判断下一个MDC` },
      test,
      adrgs,
      ...byPrincipal(adrgs),
    };
  });
  const { byPrincipal: mdcsByPrincipal, forOthers: mdcsForOthers } = byPrincipal(mdcs);
  // For each main procedure some guard names, the MDCs and ADRGs whose guard admits it.
  const admittedByMain = new Map<string, Set<Guards>>();
  for (const entry of [...mdcs, ...mdcs.flatMap((m) => m.adrgs)])
    for (const ss of entry.ss ?? []) {
      let admitted = admittedByMain.get(ss);
      if (!admitted) admittedByMain.set(ss, (admitted = new Set()));
      admitted.add(entry);
    }
  const NONE_ADMITTED: ReadonlySet<Guards> = new Set();
  // For each principal diagnosis some guard names, the MDCs to try and each one's ADRGs to try.
  const routeOf = (principal: string | undefined): Route =>
    (mdcsByPrincipal.get(principal!) ?? mdcsForOthers).map((mdc) => ({
      mdc,
      adrgs: mdc.byPrincipal.get(principal!) ?? mdc.forOthers,
    }));
  const routes = new Map<string, Route>();
  const sharedRoutes = new Map<string, Route>();
  for (const zd of new Set([...mdcsByPrincipal.keys(), ...mdcs.flatMap((m) => [...m.byPrincipal.keys()])])) {
    const route = routeOf(zd);
    const key = route.map((r) => `${r.mdc.code}:${r.adrgs.map((a) => a.code).join(',')}`).join(';');
    if (!sharedRoutes.has(key)) sharedRoutes.set(key, route);
    routes.set(zd, sharedRoutes.get(key)!);
  }
  const otherRoute = routeOf(undefined);
  // One look-up of the principal diagnosis: its route and its exclusion table.
  const principals = new Map<string, Principal>();
  for (const zd of new Set([...routes.keys(), ...principalTable.keys()]))
    principals.set(zd, { route: routes.get(zd) ?? otherRoute, table: principalTable.get(zd) });
  const otherPrincipal: Principal = { route: otherRoute, table: undefined };

  /** The CC/MCC lines of the reasons: the principal's table, each complication and whether it counts. */
  const explainComplications = (principal: string, c: Complications, reasons: GroupReason[]) => {
    if (c.list.length === 0) return;
    reasons.push({
      step: 'complication',
      text:
        c.principalTable === undefined
          ? `主诊断 ${principal} 不在排除表内，不排除任何并发症`
          : `主诊断 ${principal} 属排除表 ${c.principalTable}`,
    });
    for (const x of c.list) {
      const level = x.level === 'MCC' ? 'MCC（严重并发症或合并症）' : 'CC（并发症或合并症）';
      reasons.push(
        x.excluded
          ? {
              step: 'exclusion',
              text: `次要诊断 ${x.code} 为${level}，但与主诊断同属排除表 ${x.table}，被排除，不计为并发症`,
            }
          : { step: 'complication', text: `次要诊断 ${x.code} 为${level}，排除表 ${x.table}，计为并发症` },
      );
    }
  };

  const drgReason = (adrg: CompiledAdrg, drg: CompiledDrg, c: Complications | undefined): string => {
    const deciding = drg.usesCc ? (c?.mcc ?? c?.cc) : drg.usesMcc ? c?.mcc : undefined;
    if (deciding)
      return drg.usesCc
        ? `入组 ${drg.code}：伴并发症或合并症（${deciding.code} 为${deciding.level}）`
        : `入组 ${drg.code}：伴严重并发症或合并症（${deciding.code} 为MCC）`;
    if (adrg.usesComplications) return `入组 ${drg.code}：无计入的并发症或合并症（CC/MCC）`;
    return `入组 ${drg.code}`;
  };

  const group = (input: GrouperRecord, options?: GroupOptions): GroupResult => {
    const reasons: GroupReason[] | undefined = options?.reasons === false ? undefined : [];
    const record = input.ssList.length === 0 ? { ...input, ssList: NO_PROCEDURE } : input;

    // Checks first: gender, a principal diagnosis, a newborn's birth weight.
    const failed: string[] = [];
    if (!record.gender) failed.push('病人性别为空');
    if (record.zdList.length === 0 || !record.zdList[0]) failed.push('诊断信息为空（缺少主诊断）');
    if (record.age === 0 && record.ageDay !== undefined && record.ageDay <= 28 && !record.weight)
      failed.push('新生儿（0岁且日龄≤28天）缺少出生体重');
    if (failed.length)
      return {
        mdc: '0000',
        adrg: '00',
        drg: '0000',
        status: GROUP_STATUS.checkFailed,
        reasons: failed.map((text) => ({ step: 'check', text })),
      };

    const principal = record.zdList[0]!;
    const known = principals.get(principal) ?? otherPrincipal;
    const ctx: GroupContext = { record, locals: {}, memo: undefined, principal: known };
    const admitted = admittedByMain.get(record.ssList[0]!) ?? NONE_ADMITTED;
    for (const { mdc, adrgs } of known.route) {
      if ((mdc.ss && !admitted.has(mdc)) || !mdc.test(ctx)) continue;
      reasons?.push(mdc.reason);
      for (const adrg of adrgs) {
        if (adrg.ss && !admitted.has(adrg)) continue;
        for (const l of adrg.lets) ctx.locals[l.name] = l.value(ctx);
        if (!adrg.test(ctx)) continue;
        const drg = adrg.drgs.find((d) => d.test(ctx));
        const code = drg?.code ?? adrg.fallback;
        if (reasons) {
          reasons.push(adrg.reason);
          const complications = adrg.usesComplications ? recordComplications(ctx) : undefined;
          if (complications) explainComplications(principal, complications, reasons);
          reasons.push({
            step: 'drg',
            text: drg
              ? drgReason(adrg, drg, complications)
              : `${adrg.code} 下无符合条件的细分组，返回 ${code}`,
          });
        }
        const status = statusOf(code);
        return {
          mdc: mdc.code,
          adrg:
            status === GROUP_STATUS.ungrouped ? '00' : status === GROUP_STATUS.ambiguous ? 'QY' : adrg.code,
          drg: code,
          status,
          reasons: reasons ?? [],
        };
      }
      reasons?.push(mdc.noAdrgReason);
    }
    reasons?.push({
      step: 'no_group',
      text: `主诊断 ${record.zdList[0]}${record.ssList[0] ? `、主手术 ${record.ssList[0]}` : ''} 未进入任何MDC/ADRG，无法入组`,
    });
    return { mdc: '0000', adrg: '00', drg: '0000', status: GROUP_STATUS.ungrouped, reasons: reasons ?? [] };
  };

  const diagnoses = new Set<string>([...mccTable.keys(), ...ccTable.keys(), ...principalTable.keys()]);
  const procedures = new Set<string>(ruleSet.valid_procedures);
  const addLists = (lists: Readonly<Record<string, readonly string[]>>) => {
    for (const [name, items] of Object.entries(lists)) {
      const into =
        name.includes('_ss') && !name.endsWith('_ss1')
          ? procedures
          : name.includes('_zd')
            ? diagnoses
            : undefined;
      if (name.endsWith('_ss1') && items.some((x) => x.includes('.')))
        for (const x of items) procedures.add(x);
      if (into) for (const x of items) into.add(x);
    }
  };
  for (const m of Object.values(rules.mdcs)) {
    addLists(m.lists);
    for (const zd of Object.keys(m.trauma_region_of ?? {})) diagnoses.add(zd);
  }
  for (const a of Object.values(rules.adrgs)) addLists(a.lists);

  return {
    scheme: rules.scheme,
    group,
    knownDiagnoses: [...diagnoses].sort(),
    knownProcedures: [...procedures].sort(),
    complicationLevel: (principal, secondary) => {
      const c = complicationsOf(principalTable.get(principal), [secondary], 0);
      return c.mcc ? 'MCC' : c.cc ? 'CC' : undefined;
    },
  };
}
