import type { GroupResult, Grouper, GrouperRecord } from './grouper.ts';

/** One single change to a case's codes. */
export type WhatIfAction = 'remove_diagnosis' | 'remove_procedure' | 'add_diagnosis' | 'add_procedure';

/** The changes of one kind that all lead to the same group. */
export interface WhatIfOutcome {
  readonly action: WhatIfAction;
  readonly mdc: string;
  readonly adrg: string;
  readonly drg: string;
  readonly status: string;
  /** The codes whose removal (addition) leads there, in code order. */
  readonly codes: readonly string[];
}

export const WHAT_IF_LABELS: Record<WhatIfAction, string> = {
  remove_diagnosis: '删除次要诊断',
  remove_procedure: '删除手术操作',
  add_diagnosis: '增加次要诊断',
  add_procedure: '增加手术操作',
};

const ORDER: readonly WhatIfAction[] = [
  'remove_diagnosis',
  'remove_procedure',
  'add_diagnosis',
  'add_procedure',
];

/**
 * Which single secondary diagnosis or procedure, removed or added, would change the case's group
 * (the coder's view of why it landed where it did, and the supervisor's view of 高套编码). Every
 * secondary diagnosis and procedure of the case is tried removed; every diagnosis and procedure code
 * the rule set knows is tried added (a diagnosis as the last secondary one, a procedure as the last
 * procedure, so the main procedure stays unless the case had none). Only changes that move the
 * case to another DRG or status are returned, grouped by action and resulting group, removals first,
 * then by DRG.
 */
export function whatIf(
  grouper: Grouper,
  record: GrouperRecord,
): { base: GroupResult; outcomes: WhatIfOutcome[] } {
  const base = grouper.group(record);
  const found = new Map<string, { outcome: Omit<WhatIfOutcome, 'codes'>; codes: string[] }>();
  const tryChange = (action: WhatIfAction, code: string, changed: GrouperRecord) => {
    const r = grouper.group(changed, { reasons: false });
    if (r.drg === base.drg && r.status === base.status) return;
    const key = `${action}\t${r.drg}\t${r.status}`;
    let entry = found.get(key);
    if (!entry) {
      entry = { outcome: { action, mdc: r.mdc, adrg: r.adrg, drg: r.drg, status: r.status }, codes: [] };
      found.set(key, entry);
    }
    entry.codes.push(code);
  };

  const { zdList, ssList } = record;
  const tryEach = (field: 'zdList' | 'ssList', action: 'remove' | 'add', codes: readonly string[]) => {
    const list = record[field];
    const what = `${action}_${field === 'zdList' ? 'diagnosis' : 'procedure'}` as WhatIfAction;
    if (action === 'remove') {
      // The principal diagnosis stays; any procedure may go (the next becomes the main one).
      list.forEach((code, i) => {
        if (field === 'ssList' || i > 0)
          tryChange(what, code, { ...record, [field]: list.filter((_, j) => j !== i) });
      });
      return;
    }
    const present = new Set(list);
    const added = [...list, ''];
    for (const code of codes) {
      if (present.has(code)) continue;
      added[added.length - 1] = code;
      tryChange(what, code, { ...record, [field]: added });
    }
  };
  tryEach('zdList', 'remove', zdList);
  tryEach('ssList', 'remove', ssList);
  if (zdList.length > 0) tryEach('zdList', 'add', grouper.knownDiagnoses);
  tryEach('ssList', 'add', grouper.knownProcedures);

  const outcomes = [...found.values()].map(({ outcome, codes }) => ({ ...outcome, codes: codes.sort() }));
  outcomes.sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.drg.localeCompare(b.drg));
  return { base, outcomes };
}
