/**
 * The bad-input corpus: deliveries with one kind of defect each, as hospitals really send them,
 * and what ingestion must make of each: a rejection with a clear message, or specific rows
 * quarantined / recorded under the rule meant for them, with every batch reconciling exactly.
 * Built in code (not stored bytes) so encodings, NUL bytes and a 10 MB field are exact and the
 * repository stays small. All cases are for hospital H1 on top of `baseFiles`.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export const H1 = 'H32090200001';

export interface BadInputCase {
  readonly kind: string;
  /** Path inside the inbox. */
  readonly file: string;
  readonly bytes: Buffer;
  readonly expect:
    | { readonly rejected: RegExp }
    | { readonly unrecognised: true }
    | {
        readonly rowsRead: number;
        readonly loaded: number;
        /** Lines quarantined with the rule that must be among their reasons. */
        readonly quarantined?: readonly (readonly [line: number, rule: string])[];
        /** Lines recorded under a warning rule (the row loads or is dropped as a duplicate). */
        readonly warnings?: readonly (readonly [line: number, rule: string])[];
        readonly duplicates?: number;
        /** Text the batch notes must contain. */
        readonly note?: RegExp;
        /** Values as loaded into the raw table (as text), by line and column. */
        readonly values?: readonly (readonly [line: number, column: string, value: string])[];
        /** What every quarantine message of the batch must say (e.g. the formats accepted). */
        readonly reason?: RegExp;
      };
}

const chargeHeader =
  'line_id,visit_type,visit_id,charge_time,item_code,item_name,category_code,quantity,unit_price,amount,order_dept_code,exec_dept_code';
const visitHeader =
  'visit_id,patient_id,gender,birth_date,admit_time,discharge_time,admit_dept_code,discharge_dept_code,discharge_way,insurance_type,total_amount';
const good = (id: string) => `${id},I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01`;
const utf8 = (lines: readonly string[]) => Buffer.from(`${lines.join('\n')}\n`, 'utf8');

/** Dictionaries and visits every case relies on (a clean delivery for 2025-01). */
export const baseFiles: Record<string, Buffer> = {
  [`${H1}/his/departments.csv`]: utf8([
    'dept_code,dept_name,dept_class,std_dept_code',
    'D01,心内科,临床服务类,A03.04',
    'D02,检验科,医疗技术类,A03.04',
  ]),
  [`${H1}/his/charge_items.csv`]: utf8([
    'item_code,item_name,category_code,insurance_code,unit_price,unit',
    'I1,床位费,01,X1,50.00,日',
    'I2,阿司匹林,09,X2,10.5000,盒',
  ]),
  [`${H1}/his/inpatient_visits_2025-01.csv`]: utf8([
    visitHeader,
    'V1,P1,1,1960-01-01,2025-01-01 08:00:00,2025-01-05 10:00:00,D01,D01,1,310,200.00',
  ]),
  [`${H1}/his/outpatient_visits_2025-01.csv`]: utf8([
    'visit_id,patient_id,gender,birth_date,visit_time,dept_code,insurance_type',
    'O1,P9,2,1990-01-01,2025-01-03 10:00:00,D01,390',
  ]),
};

let month = 0;
/** Each case is its own period (2021-01, 2021-02, …), so no case replaces another's batch. */
const charges = () => {
  const n = month++;
  return `${H1}/his/charge_lines_${2021 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}.csv`;
};

const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
const manyChinese = Array.from({ length: 60 }, (_, i) => good(`G${i}`));

export const corpus: readonly BadInputCase[] = [
  { kind: 'empty file', file: charges(), bytes: Buffer.alloc(0), expect: { rejected: /empty/ } },
  { kind: 'header only', file: charges(), bytes: utf8([chargeHeader]), expect: { rowsRead: 0, loaded: 0 } },
  {
    kind: 'truncated last line',
    file: charges(),
    bytes: Buffer.from(`${chargeHeader}\n${good('L1')}\nL2,I,V1,2025-01-0`, 'utf8'),
    expect: { rowsRead: 2, loaded: 1, quarantined: [[3, 'column_count_mismatch']] },
  },
  {
    kind: 'wrong encoding (a GBK line inside a UTF-8 file)',
    file: charges(),
    bytes: Buffer.concat([
      utf8([chargeHeader, ...manyChinese]),
      iconv.encode(`${good('BAD').replace('床位费', '床位费用')}\n`, 'gbk'),
    ]),
    expect: { rowsRead: 61, loaded: 60, quarantined: [[62, 'invalid_encoding']] },
  },
  {
    kind: 'GBK file with Chinese headers',
    file: charges(),
    bytes: iconv.encode(
      `明细流水号,就诊类型,就诊号,收费时间,项目编码,项目名称,费用类别,数量,单价,金额,开单科室,执行科室\n${good('L1')}\n`,
      'gbk',
    ),
    expect: { rowsRead: 1, loaded: 1 },
  },
  {
    kind: 'UTF-8 with BOM',
    file: charges(),
    bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8([chargeHeader, good('L1')])]),
    expect: { rowsRead: 1, loaded: 1 },
  },
  {
    kind: 'UTF-16 text',
    file: charges(),
    bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${chargeHeader}\n`, 'utf16le')]),
    expect: { rejected: /UTF-16/ },
  },
  {
    kind: 'wrong delimiter',
    file: charges(),
    bytes: utf8([chargeHeader.replaceAll(',', ';'), good('L1').replaceAll(',', ';')]),
    expect: { rejected: /wrong delimiter/ },
  },
  {
    kind: 'unbalanced quotes',
    file: charges(),
    bytes: utf8([
      chargeHeader,
      good('L1'),
      'L2,I,V1,2025-01-02 09:00:00,I1,"床位费,01,1,50.00,50.00,D01,D01',
      good('L3'),
      good('L4'),
    ]),
    expect: { rowsRead: 4, loaded: 3, quarantined: [[3, 'unbalanced_quotes']] },
  },
  {
    kind: 'quoted field with a line break',
    file: charges(),
    bytes: utf8([
      chargeHeader,
      'L1,I,V1,2025-01-02 09:00:00,I1,"床位费',
      '（加床）",01,1,50.00,50.00,D01,D01',
      good('L2'),
    ]),
    expect: { rowsRead: 2, loaded: 2 },
  },
  {
    kind: 'NUL bytes',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1'), good('L2').replace('床位费', '床\u0000位费')]),
    expect: { rowsRead: 2, loaded: 1, quarantined: [[3, 'invalid_value']] },
  },
  {
    kind: '10 MB field',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1'), good('L2').replace('床位费', tenMegabytes)]),
    expect: { rowsRead: 2, loaded: 1, quarantined: [[3, 'field_too_long']] },
  },
  {
    kind: 'missing required column',
    file: charges(),
    bytes: utf8(['line_id,visit_type,charge_time', 'L1,I,2025-01-02 09:00:00']),
    expect: { rejected: /missing required column\(s\) visit_id/ },
  },
  {
    kind: 'missing optional column',
    file: charges(),
    bytes: utf8([chargeHeader.replace(',exec_dept_code', ''), good('L1').replace(/,D01$/, '')]),
    expect: { rowsRead: 1, loaded: 1, note: /exec_dept_code/ },
  },
  {
    kind: 'extra column in the header',
    file: charges(),
    bytes: utf8([`${chargeHeader},remark`, `${good('L1')},备注`]),
    expect: { rowsRead: 1, loaded: 1, note: /remark/ },
  },
  {
    kind: 'extra field in a row',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1'), `${good('L2')},extra`]),
    expect: { rowsRead: 2, loaded: 1, quarantined: [[3, 'column_count_mismatch']] },
  },
  {
    kind: 'missing field in a row',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',01,', ',')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'column_count_mismatch']] },
  },
  {
    kind: 'duplicate rows',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1'), good('L2'), good('L1'), good('L1')]),
    expect: {
      rowsRead: 4,
      loaded: 2,
      duplicates: 2,
      warnings: [
        [4, 'duplicate_row'],
        [5, 'duplicate_row'],
      ],
    },
  },
  {
    kind: 'same id with different content',
    file: charges(),
    bytes: utf8([
      chargeHeader,
      good('L1'),
      good('L1').replace(',1,50.00,50.00,', ',2,50.00,100.00,'),
      good('L2'),
    ]),
    expect: {
      rowsRead: 3,
      loaded: 1,
      quarantined: [
        [2, 'conflicting_duplicate_key'],
        [3, 'conflicting_duplicate_key'],
      ],
    },
  },
  {
    kind: 'invalid date',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('2025-01-02', '2025-02-30')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'invalid_value']] },
  },
  {
    kind: 'future date',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('2025-01-02', '2099-01-02')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'future_date']] },
  },
  {
    kind: 'not a number',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',50.00,50.00,', ',5O.00,50.00,')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'invalid_value']] },
  },
  {
    kind: 'required value empty',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('2025-01-02 09:00:00', '')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'required_field_missing']] },
  },
  {
    kind: 'negative amount (refund line)',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',1,50.00,50.00,', ',-1,50.00,-50.00,')]),
    expect: { rowsRead: 1, loaded: 1, warnings: [[2, 'negative_charge']] },
  },
  {
    kind: 'amount ≠ quantity × unit price',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',1,50.00,50.00,', ',2,50.00,120.00,')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'amount_mismatch']] },
  },
  {
    kind: 'unit price 20% above the dictionary',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',1,50.00,50.00,', ',1,61.00,61.00,')]),
    expect: { rowsRead: 1, loaded: 1, warnings: [[2, 'unit_price_deviation']] },
  },
  {
    kind: 'unknown item code',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',I1,', ',I9,')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'unknown_item_code']] },
  },
  {
    kind: 'unknown department code',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(/,D01,D01$/, ',DX,D01')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'unknown_department_code']] },
  },
  {
    kind: 'orphan charge line',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',V1,', ',V404,')]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'orphan_charge_line']] },
  },
  {
    kind: 'spreadsheet formula in a text field',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('床位费', "=cmd|' /C calc'!A0")]),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'formula_in_text']] },
  },
  {
    kind: 'SQL fragment in a text field',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('床位费', "床位费'; DROP TABLE raw_his.charge_lines; --")]),
    expect: { rowsRead: 1, loaded: 1, warnings: [[2, 'sql_fragment_in_text']] },
  },
  {
    kind: 'CRLF line ends and blank lines',
    file: charges(),
    bytes: Buffer.from(`${chargeHeader}\r\n${good('L1')}\r\n\r\n${good('L2')}\r\n`, 'utf8'),
    expect: { rowsRead: 2, loaded: 2 },
  },
  {
    kind: 'workbook saved as .csv',
    file: charges(),
    bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]),
    expect: { rejected: /zip\/Excel/ },
  },
  {
    kind: 'discharge before admission',
    file: `${H1}/his/inpatient_visits_2023-01.csv`,
    bytes: utf8([visitHeader, 'V2,P2,2,1970-01-01,2023-01-10 08:00:00,2023-01-08 10:00:00,D01,D01,1,310,0']),
    expect: { rowsRead: 1, loaded: 0, quarantined: [[2, 'discharge_before_admission']] },
  },
  {
    kind: 'stay over 60 days',
    file: `${H1}/his/inpatient_visits_2023-02.csv`,
    bytes: utf8([visitHeader, 'V3,P3,2,1970-01-01,2022-11-01 08:00:00,2023-02-08 10:00:00,D01,D01,1,310,0']),
    expect: { rowsRead: 1, loaded: 1, warnings: [[2, 'stay_over_60_days']] },
  },
  {
    kind: 'unknown diagnosis code and diagnosis incompatible with sex',
    file: `${H1}/emr/front_page_diagnoses_2025-01.csv`,
    bytes: utf8([
      'visit_id,medcasno,diag_seq,diag_code,diag_name,main_flag,adm_cond',
      'V1,M1,1,I10.x00x002,高血压,1,1',
      'V1,M1,2,I10,高血压,0,1',
      'V1,M1,3,O80.000,头位顺产,0,1',
    ]),
    expect: {
      rowsRead: 3,
      loaded: 1,
      quarantined: [
        [3, 'unknown_diagnosis_code'],
        [4, 'diagnosis_sex_conflict'],
      ],
    },
  },
  {
    kind: 'negative ledger amount',
    file: `${H1}/erp/cost_ledger_2025-01.csv`,
    bytes: utf8([
      'period,dept_code,dept_name,cost_item_code,cost_item_name,amount',
      '2025-01,D01,心内科,01,人员经费,1000.00',
      '2025-01,D01,心内科,02,卫生材料费,-20.00',
    ]),
    expect: { rowsRead: 2, loaded: 1, quarantined: [[3, 'negative_amount']] },
  },
  {
    // The reader itself fails (not a DeliveryError): only this delivery is rolled back and rejected.
    kind: 'corrupt workbook (a zip signature, then nothing readable)',
    file: charges().replace(/\.csv$/, '.xlsx'),
    bytes: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]),
    expect: { rejected: /could not be loaded: / },
  },
  {
    kind: 'ISO 8601 times (Z, +08:00, fractional seconds)',
    file: charges(),
    bytes: utf8([
      chargeHeader,
      good('L1').replace('2025-01-02 09:00:00', '2025-01-02T01:00:00Z'),
      good('L2').replace('2025-01-02 09:00:00', '2025-01-02T09:00:00+08:00'),
      good('L3').replace('2025-01-02 09:00:00', '2025-01-02T09:00:00.250+08:00'),
      good('L4').replace('2025-01-02 09:00:00', '2025-01-02T09:00:00'),
    ]),
    expect: {
      rowsRead: 4,
      loaded: 4,
      values: [
        [2, 'charge_time', '2025-01-02 09:00:00'],
        [3, 'charge_time', '2025-01-02 09:00:00'],
        [4, 'charge_time', '2025-01-02 09:00:00.25'],
        [5, 'charge_time', '2025-01-02 09:00:00'],
      ],
    },
  },
  {
    kind: 'compact time (YYYYMMDDHHmmss)',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('2025-01-02 09:00:00', '20250102090000')]),
    expect: { rowsRead: 1, loaded: 1, values: [[2, 'charge_time', '2025-01-02 09:00:00']] },
  },
  {
    kind: 'thousands separators in quantity and amount',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',1,50.00,50.00,', ',"1,000",50.00,"50,000.00",')]),
    expect: {
      rowsRead: 1,
      loaded: 1,
      values: [
        [2, 'quantity', '1000'],
        [2, 'amount', '50000.00'],
      ],
    },
  },
  {
    kind: 'day/month order not known (02/01/2025)',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace('2025-01-02 09:00:00', '02/01/2025 09:00:00')]),
    expect: {
      rowsRead: 1,
      loaded: 0,
      quarantined: [[2, 'invalid_value']],
      reason: /accepted: YYYY-MM-DD HH:mm:ss; ISO 8601 .*YYYYMMDDHHmmss/,
    },
  },
  {
    kind: 'decimal comma (50,00)',
    file: charges(),
    bytes: utf8([chargeHeader, good('L1').replace(',50.00,50.00,', ',50.00,"50,00",')]),
    expect: {
      rowsRead: 1,
      loaded: 0,
      quarantined: [[2, 'invalid_value']],
      reason: /accepted: 1234\.50; 1,234\.50/,
    },
  },
  {
    kind: 'file matching no source',
    file: `${H1}/his/readme.txt`,
    bytes: utf8(['hello']),
    expect: { unrecognised: true },
  },
];

/** A delivery built asynchronously (a workbook), with what ingestion must make of it. */
export interface BuiltCase extends Omit<BadInputCase, 'bytes'> {
  readonly build: () => Promise<Buffer>;
}

/** A charge-lines workbook: the header, then rows of cells; `shape` adds merges or formats. */
async function chargeWorkbook(
  rows: readonly unknown[][],
  shape?: (sheet: ExcelJS.Worksheet) => void,
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('收费明细');
  sheet.addRow(chargeHeader.split(','));
  for (const row of rows) sheet.addRow(row as ExcelJS.CellValue[]);
  shape?.(sheet);
  return Buffer.from(await book.xlsx.writeBuffer());
}
const at9 = new Date(Date.UTC(2025, 0, 2, 9));
const cells = (id: string, changes: Record<number, unknown> = {}): unknown[] =>
  [id, 'I', 'V1', at9, 'I1', '床位费', '01', 1, 50, 50, 'D01', 'D01'].map((v, i) =>
    i in changes ? changes[i] : v,
  );
const workbook = () => charges().replace(/\.csv$/, '.xlsx');

/**
 * Workbooks whose cells a reader cannot simply convert (issue 10): each such row is quarantined as
 * `invalid_cell` with the cell and the reason, its neighbours load with the right values, and the
 * deliveries after them load.
 */
export const workbookCases: readonly BuiltCase[] = [
  {
    kind: 'workbook: invalid date cells',
    file: workbook(),
    build: () =>
      chargeWorkbook([
        cells('W1'),
        cells('W2', { 3: new Date(NaN) }),
        cells('W3', { 3: new Date(Date.UTC(12000, 0, 1)) }),
      ]),
    expect: {
      rowsRead: 3,
      loaded: 1,
      quarantined: [
        [3, 'invalid_cell'],
        [4, 'invalid_cell'],
      ],
    },
  },
  {
    kind: 'workbook: error cells (#N/A, #REF!), one in a column no source reads',
    file: workbook(),
    build: async () => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('收费明细');
      sheet.addRow([...chargeHeader.split(','), 'remark']);
      sheet.addRow([...cells('E1'), 'ok']);
      sheet.addRow([...cells('E2', { 9: { error: '#N/A' } }), '']);
      sheet.addRow([...cells('E3', { 5: { error: '#REF!' } }), '']);
      sheet.addRow([...cells('E4'), { error: '#N/A' }]);
      return Buffer.from(await book.xlsx.writeBuffer());
    },
    expect: {
      rowsRead: 4,
      loaded: 2,
      quarantined: [
        [3, 'invalid_cell'],
        [4, 'invalid_cell'],
      ],
      note: /remark/,
    },
  },
  {
    kind: 'workbook: formulas with and without cached values',
    file: workbook(),
    build: () =>
      chargeWorkbook(
        [
          cells('F1', { 9: { formula: 'H2*I2', result: 50 } }),
          cells('F2', { 9: { formula: 'H3*I3' } }),
          cells('F3', { 3: { formula: 'DATE(2025,1,2)+0.375', result: at9 } }),
          cells('F4', { 9: { formula: '1/0', result: { error: '#DIV/0!' } } }),
          cells('F5', { 7: { formula: '1-1', result: 0 }, 9: { formula: 'H6*I6', result: 0 } }),
        ],
        (sheet) => void (sheet.getCell('D4').numFmt = 'yyyy-mm-dd hh:mm:ss'),
      ),
    expect: {
      rowsRead: 5,
      loaded: 3,
      quarantined: [
        [3, 'invalid_cell'],
        [5, 'invalid_cell'],
      ],
    },
  },
  {
    kind: 'workbook: merged cells',
    file: workbook(),
    build: () =>
      chargeWorkbook([cells('G1'), cells('G2'), cells('G3', { 10: '' }), cells('G4')], (sheet) =>
        sheet.mergeCells('K3:K4'),
      ),
    expect: {
      rowsRead: 4,
      loaded: 2,
      quarantined: [
        [3, 'invalid_cell'],
        [4, 'invalid_cell'],
      ],
    },
  },
  {
    kind: 'a clean delivery after the workbooks',
    file: charges(),
    build: async () => utf8([chargeHeader, good('Z1'), good('Z2')]),
    expect: { rowsRead: 2, loaded: 2 },
  },
];
