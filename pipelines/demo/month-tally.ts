import type { ChargeDraft } from './charge-line.ts';

/** Revenue of one ordering department in a month, split the way cost accounting needs it. */
export interface DeptRevenue {
  drugs: number;
  materials: number;
  services: number;
}

/** LIS/PACS work for one order dept × exec dept × exam type. */
export interface WorkloadCell {
  readonly orderDept: string;
  readonly execDept: string;
  readonly examType: string;
  count: number;
  revenue: number;
}

/**
 * Monthly aggregates of one hospital collected while its charge lines are
 * written: they drive the ERP cost ledger (drug and material consumption,
 * risk fund) and the LIS/PACS workload file, so those files reconcile with
 * the HIS charges of the same month. Amounts are cents.
 */
export class MonthTally {
  readonly byOrderDept = new Map<string, DeptRevenue>();
  readonly byExecDept = new Map<string, number>();
  readonly workload = new Map<string, WorkloadCell>();
  inpatientDays = 0;
  discharges = 0;
  outpatientVisits = 0;
  surgeries = 0;

  /** Adds one written charge line (amount as written, departments as true). */
  add(line: ChargeDraft, amountCents: number): void {
    const cat = line.item.std.category;
    const order = line.orderDept.code;
    let rev = this.byOrderDept.get(order);
    if (!rev) {
      rev = { drugs: 0, materials: 0, services: 0 };
      this.byOrderDept.set(order, rev);
    }
    if (cat === '09' || cat === '10' || cat === '11') rev.drugs += amountCents;
    else if (cat === '08') rev.materials += amountCents;
    else rev.services += amountCents;
    const exec = line.execDept.code;
    this.byExecDept.set(exec, (this.byExecDept.get(exec) ?? 0) + amountCents);
    const examType = line.item.std.examType;
    if (examType !== undefined) {
      const key = `${order}|${exec}|${examType}`;
      let cell = this.workload.get(key);
      if (!cell) {
        cell = { orderDept: order, execDept: exec, examType, count: 0, revenue: 0 };
        this.workload.set(key, cell);
      }
      cell.count += line.qty / 100;
      cell.revenue += amountCents;
    }
  }
}
