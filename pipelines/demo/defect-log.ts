/** One row of `_ground_truth/defects.csv`. */
export interface DefectRecord {
  readonly file: string;
  readonly line: number;
  readonly defect: string;
  readonly recordKey: string;
}

/**
 * Collects every injected defect while files are written. Defects are few
 * (about 3% of rows), so holding them until the end is cheap, and it lets the
 * ground truth be sorted by file and line regardless of write interleaving.
 */
export class DefectLog {
  private readonly records: DefectRecord[] = [];

  add(record: DefectRecord): void {
    this.records.push(record);
  }

  get size(): number {
    return this.records.length;
  }

  /** Records ordered by file path, then physical line. */
  sorted(): readonly DefectRecord[] {
    return [...this.records].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  }
}
