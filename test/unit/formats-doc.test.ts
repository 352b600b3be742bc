import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../core/paths.ts';
import {
  deliveryContractIsCurrent,
  fileName,
  renderDeliveryContract,
  withDeliveryContract,
} from '../../pipelines/ingest/delivery-contract.ts';
import { allSources } from '../../pipelines/sources/index.ts';

describe('FORMATS.md, the delivery contract', () => {
  it('lists every declared source, column and accepted format as the declarations say (else: npx hdw formats --write)', async () => {
    const document = await readFile(path.join(projectRoot, 'FORMATS.md'), 'utf8');
    const rendered = renderDeliveryContract(allSources);
    expect(deliveryContractIsCurrent(document, rendered)).toBe(true);
    for (const source of allSources) expect(document).toContain(`\`${source.system}.${source.entity}\``);
    expect(document).toMatch(
      /\| `charge_time` +\| 收费时间 +\| date-time +\| yes +\| `datetime` `iso8601` `compact` +\|/,
    );
  });

  it('notices a declaration change, and rewrites only its generated part', () => {
    const rendered = renderDeliveryContract(allSources);
    const document = withDeliveryContract('# Contract\n\n## 6. Every source\n\n# Appendix\n', rendered);
    expect(document.startsWith('# Contract\n\n## 6. Every source\n\n<!--')).toBe(true);
    expect(document.endsWith('<!-- end of generated part -->\n\n# Appendix\n')).toBe(true);
    expect(withDeliveryContract(document, rendered)).toBe(document);
    const fewer = renderDeliveryContract(allSources.slice(1));
    expect(deliveryContractIsCurrent(document, fewer)).toBe(false);
  });

  it('names files as hospitals write them', () => {
    expect(fileName(/^charge_lines_(?<period>\d{4}-\d{2})\.csv$/)).toBe('charge_lines_YYYY-MM.csv');
    expect(fileName(/^drg_groups_(?<period>\d{4})\.csv$/)).toBe('drg_groups_YYYY.csv');
    expect(fileName(/^floor_area\.csv$/)).toBe('floor_area.csv');
  });
});
