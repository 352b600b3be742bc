import { createRequire } from 'node:module';

/**
 * Cube 0.33 compiles a YAML data model by parsing every string in it — each title, description,
 * format and `sql` — as a Python f-string with an ANTLR parser, which is most of the 7–14 s a Cube
 * instance spends before its first answer (our model has thousands of such strings, most of them
 * plain Chinese labels). The strings our model writes are nearly all of two simple kinds: plain
 * text, with or without `{name.name}` references (`f"{CUBE}.amount"`), and bare dotted names
 * (`fct_cases.dim_departments`). For exactly those this builds the same JavaScript syntax tree the
 * parser builds (`test/unit/cube-yaml-strings.test.ts` compares the generated code of every string
 * of the model both ways); anything else — escapes, quotes, `{{`, calls, operators — still goes to
 * Cube's parser.
 */
type Node = Record<string, unknown>;

const name = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** An f-string whose text has no escapes, quotes or backticks and whose braces hold dotted names. */
const fString = /^f"((?:[^"\\`{}]|\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\})*)"$/;

function dotted(text: string): Node {
  const [first, ...rest] = text.split('.');
  return rest.reduce<Node>(
    (object, property) => ({
      type: 'MemberExpression',
      object,
      property: { type: 'Identifier', name: property },
      computed: false,
    }),
    { type: 'Identifier', name: first },
  );
}

function program(expression: Node): Node {
  return {
    type: 'Program',
    body: [{ type: 'ExpressionStatement', expression }],
    directives: [],
    sourceType: 'script',
  };
}

/** The syntax tree Cube's Python parser gives `code`, or undefined where only that parser will do. */
export function simpleYamlString(code: string): Node | undefined {
  if (name.test(code)) return program(dotted(code));
  const f = fString.exec(code);
  if (!f) return undefined;
  const quasis: Node[] = [];
  const expressions: Node[] = [];
  const parts = (f[1] ?? '').split(/\{([^}]*)\}/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) expressions.push(dotted(part));
    else quasis.push({ type: 'TemplateElement', value: { raw: part, cooked: part }, tail: i === parts.length - 1 });
  });
  return program({ type: 'TemplateLiteral', quasis, expressions });
}

interface YamlCompilerPrototype {
  parsePythonAndTranspileToJs(code: string, errorsReport: unknown): unknown;
  hdwFastStrings?: true;
}

/** Makes Cube's YAML compiler take `simpleYamlString` first (once per process). */
export function useSimpleYamlStrings(): void {
  const require = createRequire(import.meta.url);
  const serverCore = require.resolve('@cubejs-backend/server-core');
  const compiler = createRequire(serverCore)(
    '@cubejs-backend/schema-compiler/dist/src/compiler/YamlCompiler.js',
  ) as { YamlCompiler: { prototype: YamlCompilerPrototype } };
  const proto = compiler.YamlCompiler.prototype;
  if (proto.hdwFastStrings) return;
  const parse = proto.parsePythonAndTranspileToJs;
  proto.parsePythonAndTranspileToJs = function (code, errorsReport) {
    if (code === '' || code === 'f""') return parse.call(this, code, errorsReport);
    return simpleYamlString(code) ?? parse.call(this, code, errorsReport);
  };
  proto.hdwFastStrings = true;
}
