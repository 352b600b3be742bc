import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../core/paths.ts';
import {
  deliveryContractIsCurrent,
  renderDeliveryContract,
  withDeliveryContract,
} from '../../pipelines/ingest/delivery-contract.ts';
import { allSources } from '../../pipelines/sources/index.ts';

/** The delivery contract hospitals implement against. */
export const formatsDocument = path.join(projectRoot, 'FORMATS.md');

/**
 * `hdw formats [--write]`: says whether FORMATS.md's per-source part matches the declarations
 * (exit 1 when stale), or rewrites that part.
 */
export async function checkFormatsDocument(opts: { readonly write?: boolean }): Promise<void> {
  const document = await readFile(formatsDocument, 'utf8');
  const rendered = renderDeliveryContract(allSources);
  if (opts.write) {
    await writeFile(formatsDocument, withDeliveryContract(document, rendered));
    console.log(`FORMATS.md: per-source tables rewritten from ${allSources.length} source declarations`);
    return;
  }
  if (deliveryContractIsCurrent(document, rendered)) {
    console.log(`FORMATS.md matches the ${allSources.length} source declarations`);
    return;
  }
  console.error('FORMATS.md is out of date with the source declarations: run `npx hdw formats --write`');
  process.exitCode = 1;
}
