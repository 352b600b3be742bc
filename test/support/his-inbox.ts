import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CHARGE_HEADER =
  'line_id,visit_type,visit_id,charge_time,item_code,item_name,category_code,quantity,unit_price,amount,order_dept_code,exec_dept_code';

/**
 * A fresh inbox with one hospital's HIS dictionaries (department D01, item I1 at 50.00) and one
 * inpatient visit V1, ready for a charge file written by the test. Returns the inbox and the
 * hospital's `his` folder.
 */
export async function hisInbox(hospital: string, prefix: string): Promise<{ inbox: string; his: string }> {
  const inbox = await mkdtemp(path.join(os.tmpdir(), prefix));
  const his = path.join(inbox, hospital, 'his');
  await mkdir(his, { recursive: true });
  await writeFile(
    path.join(his, 'departments.csv'),
    'dept_code,dept_name,dept_class,std_dept_code\nD01,心内科,临床服务类,A03.04\n',
  );
  await writeFile(
    path.join(his, 'charge_items.csv'),
    'item_code,item_name,category_code,insurance_code,unit_price,unit\nI1,床位费,01,X1,50.00,日\n',
  );
  await writeFile(
    path.join(his, 'inpatient_visits_2025-01.csv'),
    'visit_id,patient_id,gender,birth_date,admit_time,discharge_time,admit_dept_code,discharge_dept_code,discharge_way,insurance_type,total_amount\n' +
      'V1,P1,1,1960-01-01,2025-01-01 08:00:00,2025-01-05 10:00:00,D01,D01,1,310,0\n',
  );
  return { inbox, his };
}
