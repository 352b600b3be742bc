import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Whether a test file works on the small demo warehouse (`demoWarehouse()`, or the web
 * application's test server, which serves it): read from its text, as the sequencer and the
 * global setup need to know before any file runs.
 */
export function usesDemoWarehouse(file: string): boolean {
  return /\bdemoWarehouse\(|support\/web-app\b/.test(readFileSync(file, 'utf8'));
}

/**
 * Vitest's order (failed first, then the longest or, on a clean checkout, the largest file first),
 * with the files that need the demo warehouse after the others: the global setup builds its
 * template while the other files run, so no worker sits waiting for it.
 */
export default class DemoLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const demo = sorted.filter((spec) => usesDemoWarehouse(spec.moduleId));
    return [...sorted.filter((spec) => !demo.includes(spec)), ...demo];
  }
}
