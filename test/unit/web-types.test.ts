import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPaths, projectRoot } from '../../core/paths.ts';

/**
 * The web application's types, templates included (vue-tsc over web/): Vite builds without
 * checking them, so a template that reads a missing field or passes a wrong argument would
 * otherwise first show as a blank cell in someone's browser.
 */
describe('web application types', () => {
  it('vue-tsc finds no error in web/ (components, pages and their templates)', () => {
    const root = projectRoot;
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'vue-tsc', 'bin', 'vue-tsc.js'), '--noEmit', '-p', path.join(projectPaths.web, 'tsconfig.json')],
      { cwd: root, encoding: 'utf8' },
    );
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
  }, 180_000);
});
