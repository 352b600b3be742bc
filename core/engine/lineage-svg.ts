import type { CompiledProject } from './compile-models.ts';

const columns = ['source', 'seed', 'staging', 'intermediate', 'marts'] as const;

/**
 * The lineage graph as inline SVG: one column per layer (sources, seeds, staging, intermediate,
 * marts), one box per node linking to its section, an edge from each parent to each child. No
 * script and no CDN, so it renders offline and on hospital intranets.
 */
export function lineageSvg(project: CompiledProject): string {
  const nodes: { id: string; label: string; column: number; href: string }[] = [];
  for (const s of project.sources)
    for (const table of Object.keys(s.definition.tables))
      nodes.push({
        id: `source:${s.definition.system}.${table}`,
        label: `${s.definition.system}.${table}`,
        column: 0,
        href: '#sources',
      });
  for (const seed of project.seeds) nodes.push({ id: `ref:${seed}`, label: seed, column: 1, href: '#seeds' });
  for (const m of project.models)
    nodes.push({
      id: `ref:${m.definition.name}`,
      label: m.definition.name,
      column: Math.max(2, columns.indexOf(m.schema as never)),
      href: `#model-${m.definition.name}`,
    });
  const boxW = 220;
  const boxH = 24;
  const gapX = 60;
  const gapY = 10;
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const row = rows.get(node.column) ?? 0;
    rows.set(node.column, row + 1);
    at.set(node.id, { x: 10 + node.column * (boxW + gapX), y: 30 + row * (boxH + gapY) });
  }
  const edges: string[] = [];
  for (const m of project.models) {
    const to = at.get(`ref:${m.definition.name}`)!;
    for (const parent of [...m.refs.map((r) => `ref:${r}`), ...m.sources.map((s) => `source:${s}`)]) {
      const from = at.get(parent);
      if (!from) continue;
      const x1 = from.x + boxW;
      const y1 = from.y + boxH / 2;
      const x2 = to.x;
      const y2 = to.y + boxH / 2;
      edges.push(
        `<path d="M${x1},${y1} C${x1 + gapX / 2},${y1} ${x2 - gapX / 2},${y2} ${x2},${y2}" class="edge"/>`,
      );
    }
  }
  const height = 40 + Math.max(1, ...rows.values()) * (boxH + gapY);
  const width = 20 + columns.length * (boxW + gapX);
  const headers = columns.map(
    (c, i) => `<text x="${10 + i * (boxW + gapX)}" y="16" class="layer">${c}</text>`,
  );
  const boxes = nodes.map((n) => {
    const { x, y } = at.get(n.id)!;
    return `<a href="${n.href}"><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="4" class="node c${n.column}"/><text x="${x + 6}" y="${y + 16}">${escapeXml(n.label)}</text></a>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="lineage">
<style>.edge{fill:none;stroke:#8a9bb0;stroke-width:1.2}.node{stroke:#4a6078;fill:#f4f7fb}.c0{fill:#fff4e0}.c1{fill:#eef7ee}.c4{fill:#e6f0ff}text{font:12px sans-serif}.layer{font-weight:bold}</style>
${headers.join('\n')}
${edges.join('\n')}
${boxes.join('\n')}
</svg>`;
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
