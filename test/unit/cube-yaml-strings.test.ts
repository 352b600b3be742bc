import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../cube/security/token.ts';
import { simpleYamlString } from '../../cube/yaml-strings.ts';
import { serveCube } from '../support/cube-api.ts';

/**
 * cube/yaml-strings.ts answers most of the strings of our YAML data model without Cube's Python
 * parser. Here Cube compiles the real model (no database needed for /v1/meta), every string its
 * YAML compiler asks about is recorded, and for each one the fast answer must generate exactly
 * the JavaScript the parser's answer generates.
 */
const schemaCompiler = createRequire(createRequire(import.meta.url).resolve('@cubejs-backend/server-core'));
const { YamlCompiler } = schemaCompiler('@cubejs-backend/schema-compiler/dist/src/compiler/YamlCompiler.js') as {
  YamlCompiler: { prototype: { parsePythonAndTranspileToJs(code: string, report: unknown): unknown } };
};
const { PythonParser } = schemaCompiler('@cubejs-backend/schema-compiler/dist/src/parser/PythonParser.js') as {
  PythonParser: new (code: string) => { transpileToJs(): unknown };
};
const generate = (schemaCompiler('@babel/generator') as { default: (ast: unknown) => { code: string } }).default;

describe("Cube's YAML strings without the Python parser", () => {
  it('gives every string of the data model the syntax Cube’s parser gives it', async () => {
    const secret = 'yaml-strings-test-secret-0123456789abcdef';
    const api = await serveCube({ databaseUrl: 'postgres://nobody:none@127.0.0.1:1/none', jwtSecret: secret });
    const seen = new Set<string>();
    const proto = YamlCompiler.prototype;
    const parse = proto.parsePythonAndTranspileToJs;
    proto.parsePythonAndTranspileToJs = function (code, report) {
      seen.add(code);
      return parse.call(this, code, report);
    };
    try {
      const token = await signToken({ role: 'analyst', alliance_id: 'YH01' }, secret);
      const meta = await fetch(`${api.base}/cubejs-api/v1/meta`, { headers: { authorization: `Bearer ${token}` } });
      expect(meta.status).toBe(200);
    } finally {
      proto.parsePythonAndTranspileToJs = parse;
      await api.close();
    }
    let fast = 0;
    const differing: string[] = [];
    for (const code of seen) {
      const mine = simpleYamlString(code);
      if (!mine) continue;
      fast += 1;
      if (generate(mine).code !== generate(new PythonParser(code).transpileToJs()).code) differing.push(code);
    }
    expect(differing).toEqual([]);
    // The point of it: nearly every string skips the parser (a drop here means a new kind of string).
    expect(fast / seen.size).toBeGreaterThan(0.95);
    // Escapes, quotes and expressions are left to the parser.
    for (const code of ['f"a \\n b"', 'f"{a + b}"', 'f"{{x}}"', 'f"say \\"hi\\""', 'a(b)'])
      expect(simpleYamlString(code), code).toBeUndefined();
  });
});
