import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** ERP/HRP floor area and open beds by department (a dictionary-like delivery, no period). */
export const floorArea: SourceDefinition = {
  system: 'erp',
  entity: 'floor_area',
  description: 'ERP/HRP 科室面积与开放床位',
  filePattern: /^floor_area\.csv$/,
  after: ['his.departments'],
  key: 'dept_code',
  uniqueKey: ['dept_code', 'building'],
  columns: [
    { name: 'dept_code', type: 'text', required: true, aliases: ['科室编码'] },
    { name: 'dept_name', type: 'text', aliases: ['科室名称'] },
    { name: 'building', type: 'text', aliases: ['楼宇'] },
    { name: 'floor_area_m2', type: 'numeric', required: true, aliases: ['面积平方米'] },
    { name: 'open_beds', type: 'numeric', aliases: ['开放床位数'] },
  ],
  rules: [
    nonNegative(['floor_area_m2', 'open_beds']),
    ...departmentCodes([{ column: 'dept_code', label: '科室编码' }]),
  ],
};
