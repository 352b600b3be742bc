import type { ChargeDraft } from './charge-line.ts';
import type { HospitalItem } from './hospital-dictionary.ts';

/** Clean revenue (cents) of one ordering department in a month, split the way cost accounting needs it. */
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

/** Quantity (hundredths) of one drug or billed material used by one department. */
export interface ItemUse {
  readonly dept: string;
  readonly item: HospitalItem;
  qty: number;
}

const add = (map: Map<string, number>, key: string, n: number): void => {
  map.set(key, (map.get(key) ?? 0) + n);
};

/**
 * What one hospital did in one month of use (the month a charge's time falls in), from the clean
 * charge lines (no planted defect changes it): revenue by ordering department, drug and material
 * usage, exams, bed-days, visits, discharges and operations. It drives the ERP ledger, the
 * purchases, the allocation drivers, the LIS/PACS workload file and the ground truth.
 */
export class MonthTally {
  readonly byOrderDept = new Map<string, DeptRevenue>();
  readonly byExecDept = new Map<string, number>();
  readonly workload = new Map<string, WorkloadCell>();
  readonly usage = new Map<string, ItemUse>();
  /** Exams (count) by executing department and visit type. */
  readonly examsByExec = new Map<string, number>();
  readonly bedDays = new Map<string, number>();
  readonly visits = new Map<string, number>();
  readonly discharges = new Map<string, number>();
  readonly surgeries = new Map<string, number>();
  readonly revenueByType = { I: 0, O: 0 };
  inpatientDays = 0;
  outpatientVisits = 0;
  dischargeCount = 0;
  surgeryCount = 0;

  /** Adds one clean charge line (amount at the dictionary price, departments as true). */
  add(type: 'I' | 'O', line: ChargeDraft, cents: number): void {
    const std = line.item.std;
    const cat = std.category;
    const order = line.orderDept.code;
    this.revenueByType[type] += cents;
    let rev = this.byOrderDept.get(order);
    if (!rev) {
      rev = { drugs: 0, materials: 0, services: 0 };
      this.byOrderDept.set(order, rev);
    }
    if (cat === '09' || cat === '10' || cat === '11' || cat === '08') {
      if (cat === '08') rev.materials += cents;
      else rev.drugs += cents;
      const key = `${order}|${std.key}`;
      const use = this.usage.get(key);
      if (use) use.qty += line.qty;
      else this.usage.set(key, { dept: order, item: line.item, qty: line.qty });
    } else rev.services += cents;
    if (cat === '01') {
      this.inpatientDays += line.qty / 100;
      add(this.bedDays, order, line.qty / 100);
    }
    const exec = line.execDept.code;
    add(this.byExecDept, exec, cents);
    const examType = std.examType;
    if (examType !== undefined) {
      const key = `${order}|${exec}|${examType}`;
      let cell = this.workload.get(key);
      if (!cell) {
        cell = { orderDept: order, execDept: exec, examType, count: 0, revenue: 0 };
        this.workload.set(key, cell);
      }
      cell.count += line.qty / 100;
      cell.revenue += cents;
      add(this.examsByExec, `${exec}|${type}`, line.qty / 100);
    }
  }

  /** Revenue of the month, all departments (cents). */
  revenue(): number {
    return this.revenueByType.I + this.revenueByType.O;
  }

  addVisit(dept: string): void {
    this.outpatientVisits++;
    add(this.visits, dept, 1);
  }

  addDischarge(ward: string): void {
    this.dischargeCount++;
    add(this.discharges, ward, 1);
  }

  addSurgery(ward: string): void {
    this.surgeryCount++;
    add(this.surgeries, ward, 1);
  }
}
