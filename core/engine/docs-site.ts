import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import { escapeXml as esc, lineageSvg } from './lineage-svg.ts';
import { writeManifest } from './manifest.ts';
import { primaryKeyOf } from './model-definition.ts';
import { testCasesOf, type ModelTestCase } from './model-tests.ts';
import { sourceSchema } from './source-definition.ts';

/**
 * Writes the project's documentation as a static site into `dir` (`index.html` plus the
 * `manifest.json` it describes): every model with its grain, key, columns (pii marked), tests and
 * SQL, the sources, and the lineage graph. Plain HTML and inline SVG, UTF-8, no script or CDN, so
 * it opens from disk and is served as-is at `/docs`. Returns the path of `index.html`.
 */
export async function writeDocsSite(project: CompiledProject, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tests = testCasesOf(project);
  const models = [...project.models].sort((a, b) => a.path.localeCompare(b.path));
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(project.name)} · 模型文档 (model docs)</title>
<style>
body{font:14px/1.6 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;display:flex;color:#1d2733}
nav{width:300px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f8;padding:12px;box-sizing:border-box;font-size:13px}
nav a{display:block;color:#234;text-decoration:none;padding:1px 0}main{flex:1;padding:16px 28px;min-width:0}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d5dbe1;padding:3px 8px;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:12px}.pii{color:#b00;font-weight:bold}.tag{background:#e6eef7;border-radius:3px;padding:0 5px;margin-right:4px}
section{border-top:1px solid #e3e7eb;margin-top:20px}.lineage{overflow:auto;border:1px solid #e3e7eb}
</style></head><body>
<nav><strong>${esc(project.name)}</strong><a href="#lineage">血缘 lineage</a><a href="#sources">数据源 sources</a><a href="#seeds">种子 seeds</a>
${models.map((m) => `<a href="#model-${m.definition.name}">${esc(m.definition.name)}</a>`).join('\n')}</nav>
<main>
<h1>${esc(project.name)} 模型文档</h1>
<p>${models.length} 个模型 · ${tests.length} 个测试 · ${project.sources.length} 个数据源系统 · ${project.seeds.length} 个种子表</p>
<h2 id="lineage">血缘 (lineage)</h2><div class="lineage">${lineageSvg(project)}</div>
<h2 id="sources">数据源 (sources)</h2>
<table><tr><th>source</th><th>relation</th><th>说明</th><th>freshness</th></tr>
${project.sources
  .flatMap(({ definition: s }) =>
    Object.entries(s.tables).map(
      ([t, spec]) =>
        `<tr><td>${esc(`${s.system}.${t}`)}</td><td>${esc(`${sourceSchema(s)}.${t}`)}</td><td>${esc(spec.description)}</td><td>${s.freshness ? `warn ${s.freshness.warnAfterHours}h / error ${s.freshness.errorAfterHours}h` : ''}</td></tr>`,
    ),
  )
  .join('\n')}</table>
<h2 id="seeds">种子 (seeds)</h2><p>${project.seeds.map((s) => `<code>ref.${esc(s)}</code>`).join(' ')}</p>
${models
  .map((m) =>
    modelSection(
      m,
      tests.filter((t) => t.model === m.definition.name),
    ),
  )
  .join('\n')}
</main></body></html>
`;
  const file = path.join(dir, 'index.html');
  await writeFile(file, html);
  await writeManifest(project, dir);
  return file;
}

function modelSection(model: CompiledModel, tests: readonly ModelTestCase[]): string {
  const d = model.definition;
  return `<section id="model-${d.name}">
<h2>${esc(d.name)}</h2>
<p>${esc(d.description)}</p>
<table>
<tr><th>粒度 grain</th><td>${esc(d.grain)}</td></tr>
<tr><th>主键 primary key</th><td>${esc(primaryKeyOf(d).join(', '))}</td></tr>
<tr><th>物化 materialized</th><td>${d.materialized}${d.incremental ? ` (batch key ${esc(d.incremental.batchKey)} of ${esc(d.incremental.batchSources.join(', '))}: changed batches re-merged)` : ''}</td></tr>
<tr><th>relation</th><td>${esc(model.relation)}</td></tr><tr><th>file</th><td>${esc(model.path)}</td></tr>
<tr><th>依赖 depends on</th><td>${[...model.refs, ...model.sources].map((r) => (model.parents.includes(r) ? `<a href="#model-${r}">${esc(r)}</a>` : esc(r))).join(', ')}</td></tr>
<tr><th>标签 tags</th><td>${(d.tags ?? []).map((t) => `<span class="tag">${esc(t)}</span>`).join('')}</td></tr>
</table>
<h3>字段 columns</h3>
<table><tr><th>column</th><th>名称 title</th><th>说明</th><th>tests</th></tr>
${Object.entries(d.columns)
  .map(
    ([c, spec]) =>
      `<tr><td>${esc(c)}${spec.pii ? ' <span class="pii">PII</span>' : ''}</td><td>${esc(spec.title ?? '')}</td><td>${esc(spec.description)}</td><td>${esc(
        tests
          .filter((t) => t.column === c)
          .map((t) => t.type)
          .join(', '),
      )}</td></tr>`,
  )
  .join('\n')}</table>
<h3>测试 tests</h3><ul>${tests.map((t) => `<li>${esc(t.name)}</li>`).join('')}</ul>
<details><summary>SQL</summary><pre>${esc(model.sql)}</pre></details>
</section>`;
}
