import ExcelJS from 'exceljs';
import express from 'express';
import type pg from 'pg';
import type { Config } from '../../core/config/config.ts';
import { HdwError } from '../../core/errors.ts';
import { RunLockedError, withRunLock } from '../../core/jobs/run-lock.ts';
import type { Logger } from '../../core/logging/logger.ts';
import type { AccessAuditWriter, AccessRecord } from '../../core/security/access-audit.ts';
import { cubeApiPath } from '../../cube/server.ts';
import type { TokenVerifier } from '../../cube/security/token.ts';
import { rebuildViolationFlags, saveReview } from '../commands/violations.ts';
import { loadCostReport } from '../reports/cost-report.ts';
import { assertReportMonth, loadFundReport } from '../reports/fund-report.ts';
import { costWorkbookHeader, fundWorkbookHeader, reportWorkbookBuffer } from '../reports/report-workbook.ts';
import { apiErrors, callerFrom, requireAuth, type Caller } from './api-auth.ts';

export interface DownloadRouteOptions {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly databaseUrl: string;
  readonly verifier: TokenVerifier;
  readonly audit: AccessAuditWriter;
  readonly logger: Logger;
  /** Header value that marks the export's own Cube requests for the audit trail (cube-audit.ts). */
  readonly exportMark: string;
  /** This server's own address, once it listens: the export asks its own Cube API. */
  readonly cubeBase: () => string;
}

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** How long the export waits out Cube's "Continue wait" answers before giving up. */
const exportWaitMs = 120_000;

/**
 * Downloads and actions of the web application, each needing a token and each recorded in the
 * access audit trail:
 * - `GET /api/export.xlsx?query=<Cube query JSON>&title=<sheet title>`: the query asked of this
 *   server's own Cube API with the caller's token (row security and the audit apply as to
 *   /v1/load), as a workbook: the members' Chinese titles as headers, numbers as numbers.
 * - `GET /api/reports/cost.xlsx?year=Y[&hospital=H]`, `GET /api/reports/fund.xlsx?month=YYYY-MM[&hospital=H]`:
 *   the workbooks of `hdw report cost|fund`. A member gets its own hospital's (another → 403);
 *   other roles every hospital's or the one asked for.
 * - `POST /api/violations/review` `{ flag_key | flag_keys | flags, status: confirmed|dismissed, note? }`:
 *   what `hdw violations review` does, for stewards and managers, and for members on their own
 *   hospital's flags only (else 403). A flag is named by its key (rule:hospital:visit id, in the
 *   stewards' case detail) or, as `flags: [{ rule_id, hospital_code, visit_key }]`, by what the
 *   hashed-key view `violation_review` shows everyone else. Answers `{ reviewed: [keys], status }`.
 */
export function downloadRoutes(options: DownloadRouteOptions): express.Router {
  const { config, pool, audit } = options;
  const router = express.Router();
  const auth = requireAuth({ verifier: options.verifier, allianceId: config.HDW_ALLIANCE_ID, pool });

  const record = (req: express.Request, caller: Caller | undefined, entry: Omit<AccessRecord, 'ip' | 'userAgent'>) =>
    audit.record({
      username: caller?.user.username ?? null,
      role: caller?.identity.context.role ?? null,
      hospitalCode: caller?.identity.context.hospital_code ?? null,
      authKind: caller?.identity.kind ?? null,
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
      ...entry,
    });

  router.get('/export.xlsx', auth, (req, res, next) => {
    let query: unknown;
    try {
      query = JSON.parse(String(req.query.query ?? ''));
    } catch {
      res.status(400).json({ error: apiErrors.badRequest });
      return;
    }
    if (typeof query !== 'object' || query === null || Array.isArray(query)) {
      res.status(400).json({ error: apiErrors.badRequest });
      return;
    }
    const title = sheetTitle(req.query.title);
    loadThroughCube(options, query, req.headers.authorization!)
      .then(async (answer) => {
        if (answer.status !== 200) {
          res.status(answer.status).json(answer.body);
          return;
        }
        const buffer = await exportWorkbook(query as CubeLoadQuery, answer.body, title);
        sendWorkbook(res, buffer, title);
      })
      .catch(next);
  });

  /** The hospital a report is for, or a 403 answer for a member asking for another. */
  const reportHospital = (req: express.Request, caller: Caller): string | undefined | false => {
    const asked = typeof req.query.hospital === 'string' && req.query.hospital !== '' ? req.query.hospital : undefined;
    if (caller.identity.context.role !== 'member') return asked;
    const own = caller.identity.context.hospital_code;
    return asked === undefined || asked === own ? own : false;
  };

  router.get('/reports/cost.xlsx', auth, (req, res, next) => {
    const caller = callerFrom(res);
    const year = Number(req.query.year);
    if (!Number.isInteger(year) || year < 1900 || year > 9999) {
      res.status(400).json({ error: '请给出年份 year，例如 2025' });
      return;
    }
    const hospital = reportHospital(req, caller);
    const asked = reportFilters({ year }, req.query.hospital);
    if (hospital === false) {
      record(req, caller, { event: 'refused', api: 'report', views: ['cost_report'], filters: asked, status: 403 });
      res.status(403).json({ error: apiErrors.otherHospital });
      return;
    }
    loadCostReport(pool, { year, ...(hospital ? { hospitalCode: hospital } : {}) })
      .then(async (report) => {
        const buffer = await reportWorkbookBuffer(costWorkbookHeader(report), report.tables);
        record(req, caller, {
          event: 'download',
          api: 'report',
          views: ['cost_report'],
          filters: reportFilters({ year }, hospital),
          rowCount: report.tables.reduce((n, t) => n + t.rows.length, 0),
          status: 200,
        });
        sendWorkbook(res, buffer, `成本报表_${year}${hospital ? `_${hospital}` : ''}`);
      })
      .catch(next);
  });

  router.get('/reports/fund.xlsx', auth, (req, res, next) => {
    const caller = callerFrom(res);
    const month = String(req.query.month ?? '');
    try {
      assertReportMonth(month);
    } catch {
      res.status(400).json({ error: '请给出月份 month，例如 2025-03' });
      return;
    }
    const hospital = reportHospital(req, caller);
    if (hospital === false) {
      record(req, caller, {
        event: 'refused',
        api: 'report',
        views: ['fund_report'],
        filters: reportFilters({ month }, req.query.hospital),
        status: 403,
      });
      res.status(403).json({ error: apiErrors.otherHospital });
      return;
    }
    loadFundReport(pool, { month, ...(hospital ? { hospitalCode: hospital } : {}) })
      .then(async (report) => {
        const buffer = await reportWorkbookBuffer(fundWorkbookHeader(report), report.tables);
        record(req, caller, {
          event: 'download',
          api: 'report',
          views: ['fund_report'],
          filters: reportFilters({ month }, hospital),
          rowCount: report.tables.reduce((n, t) => n + t.rows.length, 0),
          status: 200,
        });
        sendWorkbook(res, buffer, `医保基金监管月报_${month}${hospital ? `_${hospital}` : ''}`);
      })
      .catch(next);
  });

  router.post('/violations/review', auth, (req, res, next) => {
    const caller = callerFrom(res);
    const body = (req.body ?? {}) as { flag_key?: unknown; flag_keys?: unknown; flags?: unknown; status?: unknown; note?: unknown };
    const keys = [
      ...(typeof body.flag_key === 'string' ? [body.flag_key] : []),
      ...(Array.isArray(body.flag_keys) ? body.flag_keys.filter((k): k is string => typeof k === 'string') : []),
    ];
    const named = flagNames(body.flags);
    const status = typeof body.status === 'string' ? body.status : '';
    const note = typeof body.note === 'string' && body.note.trim() !== '' ? body.note.trim() : undefined;
    const asked = [
      ...(keys.length > 0 ? [{ member: 'flag_key', operator: 'equals', values: keys }] : []),
      ...(named.length > 0 ? [{ member: 'visit_key', operator: 'equals', values: named.map((f) => f.visit_key) }] : []),
      { member: 'status', operator: 'equals', values: [status] },
    ];
    const refuse = (code: number, error: string) => {
      record(req, caller, { event: 'refused', api: 'violations', views: ['violation_review'], filters: asked, status: code });
      res.status(code).json({ error });
    };
    // A flag in `flags` without its rule, hospital or visit key is a bad request, not skipped.
    const malformed = Array.isArray(body.flags) && named.length !== body.flags.length;
    if ((keys.length === 0 && named.length === 0) || malformed || !['confirmed', 'dismissed'].includes(status)) {
      res.status(400).json({
        error: '请给出疑点键 flag_key（或疑点 flags：规则 rule_id、医院 hospital_code、就诊键 visit_key）和复核结论 status（confirmed 或 dismissed）',
      });
      return;
    }
    const role = caller.identity.context.role;
    if (role === 'analyst') {
      refuse(403, apiErrors.forbidden);
      return;
    }
    (async () => {
      const { rows } = await pool.query<{ flag_key: string; hospital_code: string; rule_id: string; visit_key: string }>(
        `select flag_key, hospital_code, rule_id, visit_key from marts.fct_fund_violation_flags
          where flag_key = any($1::text[])
             or (rule_id, hospital_code, visit_key) in (select * from unnest($2::text[], $3::text[], $4::text[]))`,
        [keys, named.map((f) => f.rule_id), named.map((f) => f.hospital_code), named.map((f) => f.visit_key)],
      );
      const found = new Map(rows.map((r) => [r.flag_key, r.hospital_code]));
      const unknown = [
        ...keys.filter((k) => !found.has(k)),
        ...named
          .filter((f) => !rows.some((r) => r.rule_id === f.rule_id && r.hospital_code === f.hospital_code && r.visit_key === f.visit_key))
          .map((f) => `${f.rule_id}:${f.hospital_code}:${f.visit_key.slice(0, 12)}`),
      ];
      // Named by key or by what the view shows, each flag once.
      const reviewed = [...new Set([...keys, ...rows.map((r) => r.flag_key)])];
      if (role === 'member' && [...found.values()].some((h) => h !== caller.identity.context.hospital_code)) {
        refuse(403, apiErrors.otherHospital);
        return;
      }
      if (unknown.length > 0) {
        res.status(404).json({ error: `没有疑点 ${unknown.join('、')}` });
        return;
      }
      const reviewer = caller.user.username ?? `${role}${caller.identity.context.hospital_code ? `@${caller.identity.context.hospital_code}` : ''}`;
      await withRunLock(
        options.databaseUrl,
        'violations review',
        { waitSeconds: config.HDW_LOCK_WAIT_SECONDS, logger: options.logger },
        async () => {
          const undos: Array<() => Promise<void>> = [];
          try {
            for (const key of reviewed) undos.push(await saveReview(pool, key, status, note, reviewer));
            await rebuildViolationFlags({ pool, config, logger: options.logger });
          } catch (error) {
            for (const undo of undos.reverse()) await undo();
            throw error;
          }
        },
      );
      record(req, caller, {
        event: 'action',
        api: 'violations',
        views: ['violation_review'],
        filters: asked,
        rowCount: reviewed.length,
        status: 200,
      });
      res.json({ reviewed, status });
    })().catch((error: unknown) => {
      if (error instanceof RunLockedError) {
        res.status(409).json({ error: '数据仓库正在运行作业，请稍后再试' });
        return;
      }
      if (error instanceof HdwError && error.code === 'E_USAGE') {
        res.status(400).json({ error: error.message });
        return;
      }
      next(error);
    });
  });
  return router;
}

/** The report's parameters as audit filters. */
function reportFilters(period: { year?: number; month?: string }, hospital: unknown): unknown[] {
  return [
    ...Object.entries(period).map(([member, value]) => ({ member, operator: 'equals', values: [value] })),
    ...(typeof hospital === 'string' && hospital !== '' ? [{ member: 'hospital_code', operator: 'equals', values: [hospital] }] : []),
  ];
}

interface CubeLoadQuery {
  readonly measures?: unknown[];
  readonly dimensions?: unknown[];
  readonly timeDimensions?: Array<{ dimension?: unknown; granularity?: unknown }>;
}

interface LoadAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Asks this server's own Cube API, as the caller, waiting out "Continue wait" like a client does. */
async function loadThroughCube(
  options: DownloadRouteOptions,
  query: unknown,
  authorization: string,
): Promise<LoadAnswer> {
  for (const until = Date.now() + exportWaitMs; Date.now() < until; ) {
    const response = await fetch(`${options.cubeBase()}${cubeApiPath}/v1/load`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization,
        'x-hdw-export': options.exportMark,
      },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (body.error !== 'Continue wait') return { status: response.status, body };
  }
  return { status: 503, body: { error: '查询超时，请稍后再试' } };
}

interface AnnotationEntry {
  readonly title?: string;
  readonly shortTitle?: string;
  readonly type?: string;
}

/**
 * The answer of /v1/load as one sheet: a column per dimension, time dimension and measure (in the
 * query's order), headed by the member's Chinese title from the answer's annotation, numbers as numbers.
 */
export async function exportWorkbook(
  query: CubeLoadQuery,
  answer: Record<string, unknown>,
  title: string,
): Promise<Buffer> {
  const annotation = (answer.annotation ?? {}) as Record<string, Record<string, AnnotationEntry>>;
  const all: Record<string, AnnotationEntry> = {
    ...annotation.dimensions,
    ...annotation.timeDimensions,
    ...annotation.measures,
  };
  const keys = [
    ...(query.dimensions ?? []).filter((d): d is string => typeof d === 'string'),
    ...(query.timeDimensions ?? [])
      .filter((t) => typeof t.dimension === 'string' && typeof t.granularity === 'string')
      .map((t) => `${t.dimension as string}.${t.granularity as string}`),
    ...(query.measures ?? []).filter((m): m is string => typeof m === 'string'),
  ].filter((key) => all[key] !== undefined);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hospital-dw';
  const sheet = workbook.addWorksheet(title);
  const header = sheet.addRow(keys.map((key) => all[key]!.shortTitle ?? all[key]!.title ?? key));
  header.font = { bold: true };
  const numeric = keys.map((key) => all[key]!.type === 'number');
  for (const row of (answer.data ?? []) as Array<Record<string, unknown>>) {
    sheet.addRow(
      keys.map((key, i) => {
        const value = row[key];
        if (value === null || value === undefined) return null;
        if (numeric[i]) {
          const n = Number(value);
          return Number.isFinite(n) ? n : String(value);
        }
        return String(value);
      }),
    );
  }
  keys.forEach((_, i) => (sheet.getColumn(i + 1).width = numeric[i] ? 16 : 20));
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A sheet name Excel accepts: at most 31 characters, none of []:*?/\ ; `导出` when none is given. */
function sheetTitle(raw: unknown): string {
  const cleaned = (typeof raw === 'string' ? raw : '').replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31);
  return cleaned || '导出';
}

function sendWorkbook(res: express.Response, buffer: Buffer, name: string): void {
  const file = `${name.replace(/[\\/:*?"<>|\r\n]/g, '_')}.xlsx`;
  res
    .status(200)
    .set('content-type', xlsxType)
    .set('cache-control', 'no-store')
    .set('content-disposition', `attachment; filename="export.xlsx"; filename*=UTF-8''${encodeURIComponent(file)}`)
    .send(buffer);
}

/** The flags named as `violation_review` shows them: rule, hospital and hashed visit key, each a non-empty string. */
function flagNames(value: unknown): Array<{ rule_id: string; hospital_code: string; visit_key: string }> {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (f): f is { rule_id: string; hospital_code: string; visit_key: string } =>
      typeof f === 'object' &&
      f !== null &&
      ['rule_id', 'hospital_code', 'visit_key'].every((k) => typeof (f as Record<string, unknown>)[k] === 'string' && (f as Record<string, string>)[k] !== ''),
  );
}
