/**
 * The hand-worked cost example that the cost models' unit tests share (not a model: files named
 * `_*.ts` are modules). One hospital H, January 2024, five units — ADM (行政后勤类), SUP (医疗辅助类),
 * LAB (医疗技术类), MED and SUR (临床服务类) — and two cost items, 01 人员经费 and 02 卫生材料费.
 * Each model's test derives its own figures from these in its comments.
 */

/** Direct cost by unit and item (yuan): what the ledger gives each unit. */
export const exampleDirectCosts = {
  rows: [
    ['ADM', '01', 100],
    ['SUP', '01', 50],
    ['SUP', '02', 20],
    ['LAB', '01', 80],
    ['LAB', '02', 30],
    ['MED', '01', 300],
    ['MED', '02', 40],
    ['SUR', '01', 200],
    ['SUR', '02', 60],
  ].map(([dept, item, amount]) => ({
    hospital_code: 'H',
    cost_month: '2024-01-01',
    dept_code: dept as string,
    cost_item_code: item as string,
    direct_cost: amount as number,
  })),
  types: { cost_month: 'date' },
};

/**
 * The example's full cost after the three levels (fct_department_full_costs derives them): MED
 * full 435.44 + 71.12 split 25 % outpatient, SUR all inpatient; LAB passes all on at level 3.
 */
export const exampleFullCosts = {
  rows: [
    ['LAB', '医疗技术类', '01', '固定', 80, 0, 0, 0],
    ['MED', '临床服务类', '01', '固定', 300, 435.44, 108.86, 326.58],
    ['MED', '临床服务类', '02', '变动', 40, 71.12, 17.78, 53.34],
    ['SUR', '临床服务类', '01', '固定', 200, 294.56, 0, 294.56],
    ['SUR', '临床服务类', '02', '变动', 60, 78.88, 0, 78.88],
  ].map(([dept, cls, item, behaviour, direct, full, op, ip]) => ({
    hospital_code: 'H',
    cost_month: '2024-01-01',
    dept_code: dept as string,
    dept_name: dept as string,
    std_dept_code: dept as string,
    std_dept_name: dept as string,
    cost_unit_class: cls as string,
    cost_item_code: item as string,
    cost_behaviour: behaviour as string,
    direct_cost: direct as number,
    full_cost: full as number,
    outpatient_full_cost: op as number,
    inpatient_full_cost: ip as number,
  })),
  types: { cost_month: 'date' },
};

/** The clinical units' activity: visits, occupied and discharged bed-days, ordered revenue (yuan). */
export const exampleActivity = {
  rows: [
    ['MED', 10, 20, 20, 600],
    ['SUR', 0, 40, 38, 300],
  ].map(([dept, visits, occupied, discharged, revenue]) => ({
    hospital_code: 'H',
    activity_month: '2024-01-01',
    dept_code: dept as string,
    outpatient_visits: visits as number,
    occupied_bed_days: occupied as number,
    discharged_bed_days: discharged as number,
    ordered_revenue: revenue as number,
  })),
  types: { activity_month: 'date' },
};
