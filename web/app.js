// 医联体费用分析: a dependency-free page over the Cube REST API (/cubejs-api/v1/load).
// Data never goes through innerHTML: every value is set with textContent or SVG attributes.

const VIEW = 'department_charge_analysis';
const LOAD_URL = '/cubejs-api/v1/load';
const TOKEN_KEY = 'hdw.cubeToken';
const SVG_NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#1f6feb', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5f3dc4'];
const LEVELS = { 3: '三级', 2: '二级' };
const ROLES = { analyst: '分析员', manager: '管理者', steward: '数据管理员', member: '成员单位' };

const m = (name) => `${VIEW}.${name}`;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// token

function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the token then lives only as long as the page
  }
}

/** Reads the (unverified) claims for display only; the server checks the signature. */
function claimsOf(token) {
  try {
    const part = token.split('.')[1];
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

function showIdentity(token) {
  const box = $('identity');
  const claims = token ? claimsOf(token) : undefined;
  if (!claims) {
    box.hidden = true;
    return;
  }
  const parts = [`身份：${ROLES[claims.role] ?? claims.role ?? '未知'}`];
  if (claims.hospital_code) parts.push(`医院：${claims.hospital_code}`);
  if (typeof claims.exp === 'number') {
    const expires = new Date(claims.exp * 1000);
    parts.push(
      `${expires < new Date() ? '已于' : '有效期至'} ${expires.toLocaleString('zh-CN')}${expires < new Date() ? ' 过期' : ''}`,
    );
  }
  box.textContent = parts.join(' · ');
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One Cube query. Cube answers "Continue wait" while a query still runs; ask again until done. */
async function load(query) {
  const token = storedToken();
  if (!token) throw new ApiError(403, 'missing token');
  for (let attempt = 0; attempt < 60; attempt += 1) {
    let response;
    try {
      response = await fetch(LOAD_URL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
    } catch {
      throw new ApiError(0, '无法连接服务器，请确认 hdw serve 正在运行。');
    }
    let body = {};
    try {
      body = await response.json();
    } catch {
      // an empty or non-JSON body: fall through with the status
    }
    if (response.ok && body.error === 'Continue wait') {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
    return body.data ?? [];
  }
  throw new ApiError(504, '查询超时，请稍后再试。');
}

function explain(error) {
  if (error instanceof ApiError && error.status === 403) {
    const reason = String(error.message ?? '').replace(/^Forbidden:\s*/, '');
    if (/expired/.test(reason))
      return '访问被拒绝（403）：令牌已过期。请运行 npx hdw token --role analyst 获取新令牌。';
    if (/missing/.test(reason)) return '请先粘贴访问令牌。运行 npx hdw token --role analyst 获取令牌。';
    if (/hospital|not public/.test(reason))
      return `访问被拒绝（403）：当前身份无权查看这些数据（${reason}）。`;
    return `访问被拒绝（403）：令牌无效（${reason}）。请运行 npx hdw token --role analyst 获取新令牌。`;
  }
  if (error instanceof ApiError && error.status === 0) return error.message;
  return `查询失败：${error.message ?? error}`;
}

// ---------------------------------------------------------------------------------------------
// formatting (amounts arrive as exact decimal strings; keep them exact)

function money(value) {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

function percent(value) {
  if (value === null || value === undefined || value === '') return '—';
  return `${(Number(value) * 100).toFixed(1)}%`;
}

function compactYuan(value) {
  const n = Number(value);
  if (Math.abs(n) >= 1e8) return `${(n / 1e8).toFixed(1)}亿`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e4).toFixed(1)}万`;
  return n.toFixed(0);
}

function monthLabel(value) {
  return String(value).slice(0, 7);
}

// ---------------------------------------------------------------------------------------------
// rendering

function setMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text ?? '';
  box.className = `message ${kind}`;
  box.hidden = !text;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
  return td;
}

function fillTable(id, rows, columns) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(tr, '暂无数据', 'empty');
    td.colSpan = columns.length;
    body.append(tr);
    return;
  }
  rows.forEach((row, index) => {
    const tr = document.createElement('tr');
    for (const column of columns) cell(tr, column.value(row, index), column.numeric ? 'num' : undefined);
    body.append(tr);
  });
}

function svg(name, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Total charges per hospital and month: one line per hospital, months along the x axis. */
function drawTrend(rows) {
  const container = $('trend-chart');
  const legend = $('trend-legend');
  container.replaceChildren();
  legend.replaceChildren();
  if (rows.length === 0) {
    container.textContent = '暂无数据';
    return;
  }
  const months = [...new Set(rows.map((r) => monthLabel(r[m('month.month')])))].sort();
  const hospitals = [...new Set(rows.map((r) => r[m('hospital_name')] ?? r[m('hospital_code')]))].sort();
  const value = new Map(
    rows.map((r) => [
      `${r[m('hospital_name')] ?? r[m('hospital_code')]}|${monthLabel(r[m('month.month')])}`,
      Number(r[m('total_charge_amount')]),
    ]),
  );
  const max = Math.max(1, ...value.values());

  const width = 760;
  const height = 280;
  const pad = { left: 64, right: 16, top: 16, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (months.length === 1 ? plotW / 2 : (i * plotW) / (months.length - 1));
  const y = (v) => pad.top + plotH - (v / max) * plotH;

  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': '各医院月度总费用折线图',
  });
  for (let step = 0; step <= 4; step += 1) {
    const v = (max * step) / 4;
    chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid' }));
    chart.append(
      svg('text', { x: pad.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, compactYuan(v)),
    );
  }
  months.forEach((month, i) => {
    chart.append(svg('text', { x: x(i), y: height - 12, 'text-anchor': 'middle', class: 'axis' }, month));
  });
  hospitals.forEach((hospital, h) => {
    const color = PALETTE[h % PALETTE.length];
    const points = months
      .map((month, i) => [i, value.get(`${hospital}|${month}`)])
      .filter(([, v]) => v !== undefined);
    chart.append(
      svg('polyline', {
        points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(' '),
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
      }),
    );
    for (const [i, v] of points) {
      const dot = svg('circle', { cx: x(i), cy: y(v), r: 3.5, fill: color });
      dot.append(svg('title', {}, `${hospital} ${months[i]}：${money(v.toFixed(2))} 元`));
      chart.append(dot);
    }
    const item = document.createElement('span');
    item.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color;
    item.append(swatch, document.createTextNode(hospital));
    legend.append(item);
  });
  container.append(chart);
}

/** After a failed query nothing stale stays on screen: the figures shown must match the token. */
function clearResults() {
  $('trend-chart').replaceChildren();
  $('trend-legend').replaceChildren();
  for (const id of ['hospital-table', 'department-table']) $(id).querySelector('tbody').replaceChildren();
}

// ---------------------------------------------------------------------------------------------
// queries

function visitFilter() {
  const visit = $('visit-type').value;
  return visit ? [{ member: m('visit_type'), operator: 'equals', values: [visit] }] : [];
}

async function refresh() {
  if (!storedToken()) {
    clearResults();
    setMessage('请先粘贴访问令牌。运行 npx hdw token --role analyst 获取令牌。', 'info');
    return;
  }
  const filters = visitFilter();
  $('status').textContent = '查询中…';
  setMessage('');
  try {
    const [trend, byHospital, departments] = await Promise.all([
      load({
        measures: [m('total_charge_amount')],
        dimensions: [m('hospital_code'), m('hospital_name')],
        timeDimensions: [{ dimension: m('month'), granularity: 'month' }],
        order: [[m('month'), 'asc']],
        filters,
      }),
      load({
        measures: [
          m('total_charge_amount'),
          m('drug_charge_ratio'),
          m('drug_charge_ratio_excl_herbal'),
          m('material_charge_ratio'),
        ],
        dimensions: [m('hospital_code'), m('hospital_name'), m('hospital_level')],
        order: [[m('total_charge_amount'), 'desc']],
        filters,
      }),
      load({
        measures: [m('total_charge_amount'), m('drug_charge_ratio'), m('material_charge_ratio')],
        dimensions: [m('hospital_name'), m('department_name')],
        order: [[m('total_charge_amount'), 'desc']],
        limit: 10,
        filters,
      }),
    ]);
    drawTrend(trend);
    fillTable('hospital-table', byHospital, [
      { value: (r) => r[m('hospital_name')] ?? r[m('hospital_code')] },
      { value: (r) => LEVELS[r[m('hospital_level')]] ?? r[m('hospital_level')] ?? '—' },
      { value: (r) => money(r[m('total_charge_amount')]), numeric: true },
      { value: (r) => percent(r[m('drug_charge_ratio')]), numeric: true },
      { value: (r) => percent(r[m('drug_charge_ratio_excl_herbal')]), numeric: true },
      { value: (r) => percent(r[m('material_charge_ratio')]), numeric: true },
    ]);
    fillTable('department-table', departments, [
      { value: (_r, i) => String(i + 1), numeric: true },
      { value: (r) => r[m('hospital_name')] ?? '—' },
      { value: (r) => r[m('department_name')] ?? '—' },
      { value: (r) => money(r[m('total_charge_amount')]), numeric: true },
      { value: (r) => percent(r[m('drug_charge_ratio')]), numeric: true },
      { value: (r) => percent(r[m('material_charge_ratio')]), numeric: true },
    ]);
    $('status').textContent = `已更新 ${new Date().toLocaleTimeString('zh-CN')}`;
  } catch (error) {
    $('status').textContent = '';
    clearResults();
    setMessage(explain(error));
    if (error instanceof ApiError && error.status === 403) $('token-input').focus();
  }
}

// ---------------------------------------------------------------------------------------------
// wiring

function start() {
  const input = $('token-input');
  input.value = storedToken();
  showIdentity(storedToken());

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    storeToken(token);
    input.value = token;
    showIdentity(token);
    refresh();
  });
  $('token-clear').addEventListener('click', () => {
    storeToken('');
    input.value = '';
    showIdentity('');
    setMessage('令牌已清除。运行 npx hdw token --role analyst 获取新令牌。', 'info');
  });
  $('reload').addEventListener('click', refresh);
  $('visit-type').addEventListener('change', refresh);
  refresh();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
