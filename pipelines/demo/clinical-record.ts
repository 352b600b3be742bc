import { SECONDS_PER_DAY } from './calendar.ts';
import type { HospitalDept, HospitalDictionary } from './hospital-dictionary.ts';
import type { InpatientCase } from './inpatient-case.ts';
import { Prng } from './prng.ts';

/** A 主治医师 of one ward: national-style doctor code and name. */
export interface Doctor {
  readonly code: string;
  readonly name: string;
  readonly deptCode: string;
}

/**
 * What the front page and the settlement list record of a stay beyond what the plan needed: the
 * attending doctor, the ICU stay (stays that start in the ICU, see `planInpatientCase`) and the
 * hours on a ventilator.
 */
export interface ClinicalRecord {
  readonly doctor: Doctor;
  /** Unix seconds; undefined when the stay had no ICU days. */
  readonly icuIn: number | undefined;
  readonly icuOut: number | undefined;
  /** 重症监护合计时长 in hours, exact to the minute (0 without ICU). */
  readonly icuHours: number;
  /** 呼吸机使用时长 in hours, exact to the minute (0 without ventilation). */
  readonly ventHours: number;
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健斌宁浩凯鹏志宏俊峰波晨雪琳婷颖欣怡佳慧';
const HOUR = 3600;

/**
 * The attending doctors of a hospital: two to six per ward with beds (about one per 15 beds).
 * Master data: it depends on the hospital code only, never on the demo seed.
 */
export class HospitalDoctors {
  private readonly byDept = new Map<string, Doctor[]>();

  constructor(dict: HospitalDictionary) {
    const code = dict.hospital.code;
    const rng = Prng.derive(0, `${code}/doctors`);
    let n = 0;
    for (const dept of dict.departments) {
      if (dept.beds <= 0) continue;
      const count = Math.min(6, Math.max(2, Math.round(dept.beds / 15)));
      const doctors: Doctor[] = [];
      for (let i = 0; i < count; i++) {
        n++;
        const given = rng.pick([...GIVEN]) + (rng.chance(0.6) ? rng.pick([...GIVEN]) : '');
        doctors.push({
          code: `D${code.slice(1)}${String(n).padStart(3, '0')}`,
          name: rng.pick([...SURNAMES]) + given,
          deptCode: dept.code,
        });
      }
      this.byDept.set(dept.code, doctors);
    }
  }

  /** The doctors of a ward (at least two for every ward with beds). */
  of(dept: HospitalDept): readonly Doctor[] {
    const found = this.byDept.get(dept.code);
    if (!found) throw new RangeError(`no doctors for ward ${dept.code}`);
    return found;
  }
}

/**
 * Draws a stay's clinical record from its own stream (`<hospital>/<month>/clinical`), so that no
 * existing draw of the generator moves: the attending doctor among the discharging ward's doctors.
 * Stays that start in the ICU (`icuDays` > 0, severe groups) leave it on the day the ward takes
 * over (as the ICU bed charges end); a ventilated one is ventilated for 50–95 % of its ICU hours.
 * Half the deaths outside the ICU die after a last transfer to it.
 */
export function clinicalRecord(c: InpatientCase, doctors: HospitalDoctors, rng: Prng): ClinicalRecord {
  const doctor = rng.pick(doctors.of(c.ward));
  if (c.icuDays <= 0 && c.dischargeWay === '5' && rng.chance(0.5)) {
    // A death after a last transfer to the ICU: 6–72 h before death, ventilated in most cases. The
    // charge lines were planned without it (they stay as they are), so no ICU bed is billed.
    const icuOut = c.dischargeTime - (c.dischargeTime % 60);
    const icuIn = Math.max(c.admitTime - (c.admitTime % 60) + 60, icuOut - rng.int(6 * 60, 72 * 60) * 60);
    const icuMinutes = (icuOut - icuIn) / 60;
    const ventMinutes = rng.chance(0.6) ? Math.round(icuMinutes * rng.uniform(0.5, 0.95)) : 0;
    return { doctor, icuIn, icuOut, icuHours: icuMinutes / 60, ventHours: ventMinutes / 60 };
  }
  if (c.icuDays <= 0) return { doctor, icuIn: undefined, icuOut: undefined, icuHours: 0, ventHours: 0 };
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const icuIn = c.admitTime - (c.admitTime % 60);
  const planned = (admitDay + c.icuDays) * SECONDS_PER_DAY + rng.int(9 * 60, 17 * 60) * 60;
  const icuOut = Math.max(
    icuIn + 6 * HOUR,
    Math.min(planned, c.dischargeTime - (c.dischargeTime % 60) - HOUR),
  );
  const icuMinutes = Math.max(60, (icuOut - icuIn) / 60);
  const ventMinutes = c.ventilated ? Math.round(icuMinutes * rng.uniform(0.5, 0.95)) : 0;
  return {
    doctor,
    icuIn,
    icuOut: icuIn + icuMinutes * 60,
    icuHours: icuMinutes / 60,
    ventHours: ventMinutes / 60,
  };
}
