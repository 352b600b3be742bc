/**
 * Cost accounting on the small demo (and the full one with `HDW_FULL=1`), checked against what the
 * generator delivered and knew:
 * - the ledger as delivered (the CSV files) = Σ direct cost + quarantined rows, per hospital, month
 *   and cost item, to the cent; and the warehouse's reconciliation line shows the same quarantine;
 * - at every allocation level, the cost held by all units still equals the ledger as loaded, and
 *   every unit of the level just passed holds nothing (full cost of clinical units = the ledger);
 * - each department's direct cost by item equals `_ground_truth/dept_months.csv` to the cent once
 *   the planted ledger defects (`_ground_truth/defects.csv`) are given back to their department:
 *   a negative amount is quarantined (the truth has its size), a row with an unknown department
 *   code is quarantined (the truth has it under the department its name names). Nothing else differs.
 */
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHookTimeout, demoSizes } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { readCsv, truth } from '../support/demo-truth.ts';

const ITEMS = ['01', '02', '03', '04', '05', '06', '07'] as const;
const cents = (value: string | number | null | undefined): number => Math.round(Number(value ?? 0) * 100);

interface Hospital {
  readonly code: string;
  readonly encoding: string;
}

/** Ledger rows as delivered, per file and line: hospital, period, department, name, item, cents. */
function deliveredLedger(
  dir: string,
): Map<string, { key: string; dept: string; name: string; cents: number }> {
  const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8')) as {
    hospitals: Hospital[];
  };
  const rows = new Map<string, { key: string; dept: string; name: string; cents: number }>();
  for (const h of manifest.hospitals) {
    const erp = path.join(dir, h.code, 'erp');
    for (const file of readdirSync(erp).filter((n) => n.startsWith('cost_ledger_'))) {
      readCsv(path.join(erp, file), h.encoding === 'GBK').forEach((r, i) => {
        const period = r.period ?? r['期间'] ?? '';
        const item = r.cost_item_code ?? r['成本项目编码'] ?? '';
        rows.set(`${h.code}/erp/${file}:${i + 2}`, {
          key: `${h.code}|${period}|${item}`,
          dept: r.dept_code ?? r['科室编码'] ?? '',
          name: r.dept_name ?? r['科室名称'] ?? '',
          cents: cents(r.amount ?? r['金额']),
        });
      });
    }
  }
  return rows;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

describe.each(demoSizes)('cost accounting on the %s demo', (size) => {
  const testTimeout = size === 'full' ? 1_800_000 : 120_000;
  let w: DemoWarehouse;
  let client: pg.Client;
  const query = async <T extends Record<string, unknown>>(text: string): Promise<T[]> =>
    (await client.query<T>(text)).rows;

  beforeAll(async () => {
    w = await demoWarehouse(size);
    client = new pg.Client(w.url);
    await client.connect();
    // The first caller of a test run builds the demo template (a few minutes on a busy machine).
  }, demoHookTimeout(size));

  afterAll(async () => {
    await client?.end();
    await w?.drop();
  });

  it(
    'ledger as delivered = Σ direct cost + quarantined rows, per hospital, month and item',
    async () => {
      const delivered = new Map<string, number>();
      for (const row of deliveredLedger(w.generatedDir).values()) add(delivered, row.key, row.cents);
      const direct = new Map<string, number>();
      for (const r of await query<{ k: string; amount: string }>(`
      select hospital_code || '|' || to_char(cost_month, 'YYYY-MM') || '|' || cost_item_code as k,
        sum(direct_cost) as amount
      from marts.fct_department_direct_costs group by 1`))
        add(direct, r.k, cents(r.amount));
      const layers = await query<{ k: string; quarantined: string; loaded: string; delivered: string }>(`
      select hospital_code || '|' || to_char(cost_month, 'YYYY-MM') || '|' || cost_item_code as k,
        quarantined_amount as quarantined, loaded_amount as loaded, delivered_amount as delivered
      from marts.fct_hospital_cost_layers`);
      const quarantined = new Map(layers.map((r) => [r.k, cents(r.quarantined)]));
      expect(layers.length).toBe(delivered.size);
      let withQuarantine = 0;
      for (const [key, total] of delivered) {
        const q = quarantined.get(key) ?? 0;
        if (q !== 0) withQuarantine++;
        expect({ key, total }).toEqual({ key, total: (direct.get(key) ?? 0) + q });
      }
      for (const r of layers) {
        expect({ k: r.k, loaded: cents(r.loaded) }).toEqual({ k: r.k, loaded: direct.get(r.k) ?? 0 });
        expect({ k: r.k, delivered: cents(r.delivered) }).toEqual({ k: r.k, delivered: delivered.get(r.k) });
      }
      expect(withQuarantine).toBeGreaterThan(10);
    },
    testTimeout,
  );

  it(
    'conserves the ledger at every allocation level, and senders end with nothing',
    async () => {
      // What each unit holds after level n: direct + received at levels ≤ n − sent at levels ≤ n.
      const rows = await query<{ level: number; k: string; held: string; stranded: string }>(`
      with units as (select hospital_code, dept_code, allocation_level from marts.dim_cost_units),
      direct as (
        select hospital_code, cost_month, dept_code, cost_item_code, sum(direct_cost) as amount
        from marts.fct_department_direct_costs group by 1, 2, 3, 4
      ),
      moves as (
        select hospital_code, cost_month, receiver_dept_code as dept_code, cost_item_code, allocation_level,
          allocated_amount as amount
        from intermediate.int_department_costs__allocated
        union all
        select hospital_code, cost_month, sender_dept_code, cost_item_code, allocation_level, -allocated_amount
        from intermediate.int_department_costs__allocated
      ),
      held as (
        select l.level, d.hospital_code, d.cost_month, d.dept_code, d.cost_item_code, sum(d.amount) as amount
        from (select hospital_code, cost_month, dept_code, cost_item_code, 0 as allocation_level, amount from direct
              union all select * from moves) d
        cross join (values (0), (1), (2), (3)) as l(level)
        where d.allocation_level <= l.level
        group by 1, 2, 3, 4, 5
      )
      select h.level, h.hospital_code || '|' || to_char(h.cost_month, 'YYYY-MM') || '|' || h.cost_item_code as k,
        sum(h.amount) as held,
        coalesce(sum(h.amount) filter (where u.allocation_level <= h.level), 0) as stranded
      from held h join units u using (hospital_code, dept_code)
      group by 1, 2`);
      const ledger = new Map(
        (
          await query<{ k: string; amount: string }>(`
          select hospital_code || '|' || to_char(cost_month, 'YYYY-MM') || '|' || cost_item_code as k,
            loaded_amount as amount
          from marts.fct_hospital_cost_layers`)
        ).map((r) => [r.k, cents(r.amount)]),
      );
      const held = new Map(rows.map((r) => [`${r.level}|${r.k}`, r]));
      for (const [k, amount] of ledger) {
        for (const level of [0, 1, 2, 3]) {
          const r = held.get(`${level}|${k}`);
          // A cell whose every row was quarantined has nothing loaded and nothing held.
          expect({ level, k, held: cents(r?.held) }).toEqual({ level, k, held: amount });
          // On the demo every sender has a driver every month: nothing stays with a sender.
          expect({ level, k, stranded: cents(r?.stranded) }).toEqual({ level, k, stranded: 0 });
        }
      }
      expect(held.size).toBeGreaterThan(3 * ledger.size);
      // …so the clinical units' full cost is the ledger, item by item.
      const clinical = await query<{ k: string; full: string; retained: string }>(`
      select hospital_code || '|' || to_char(cost_month, 'YYYY-MM') || '|' || cost_item_code as k,
        clinical_full_cost as full, retained_cost as retained
      from marts.fct_hospital_cost_layers`);
      for (const r of clinical) {
        expect({ k: r.k, full: cents(r.full), retained: cents(r.retained) }).toEqual({
          k: r.k,
          full: ledger.get(r.k),
          retained: 0,
        });
      }
    },
    testTimeout,
  );

  it(
    "each department's direct cost by item equals the generator's truth, planted defects given back",
    async () => {
      const dir = w.generatedDir;
      const truthCells = new Map<string, number>();
      for (const d of truth(dir, 'dept_months.csv'))
        for (const item of ITEMS)
          truthCells.set(`${d.hospital_code}|${d.period}|${d.dept_code}|${item}`, cents(d[`cost_${item}`]));

      const model = new Map<string, number>();
      for (const r of await query<{ k: string; amount: string }>(`
      select hospital_code || '|' || to_char(cost_month, 'YYYY-MM') || '|' || dept_code || '|' || cost_item_code as k,
        sum(direct_cost) as amount
      from marts.fct_department_direct_costs group by 1`))
        add(model, r.k, cents(r.amount));

      // The planted ledger defects, from the generator's list, with the delivered row's amount.
      const codeByName = new Map(
        (
          await query<{ k: string; dept_code: string }>(
            `select hospital_code || '|' || dept_name as k, dept_code from marts.dim_departments`,
          )
        ).map((r) => [r.k, r.dept_code]),
      );
      const delivered = deliveredLedger(dir);
      const givenBack = new Map<string, number>();
      let planted = 0;
      for (const d of truth(dir, 'defects.csv').filter((d) => d.file?.includes('/erp/cost_ledger_'))) {
        const row = delivered.get(`${d.file}:${d.line}`);
        if (!row) throw new Error(`no delivered row at ${d.file}:${d.line}`);
        const [hospital, period, item] = row.key.split('|');
        const dept = d.defect === 'unknown_department' ? codeByName.get(`${hospital}|${row.name}`) : row.dept;
        expect(['negative_amount', 'unknown_department']).toContain(d.defect);
        add(givenBack, `${hospital}|${period}|${dept}|${item}`, Math.abs(row.cents));
        planted++;
      }
      expect(planted).toBeGreaterThan(10);

      const keys = new Set([...truthCells.keys(), ...model.keys()]);
      const wrong: string[] = [];
      for (const key of keys) {
        const expected = truthCells.get(key) ?? 0;
        const got = (model.get(key) ?? 0) + (givenBack.get(key) ?? 0);
        if (got !== expected)
          wrong.push(
            `${key}: truth ${expected / 100}, warehouse ${(model.get(key) ?? 0) / 100} + planted ${(givenBack.get(key) ?? 0) / 100}`,
          );
      }
      expect(wrong).toEqual([]);
    },
    testTimeout,
  );
});
