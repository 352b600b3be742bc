/**
 * Writes plain data as block YAML for the dbt export (schema.yml, sources.yml, dbt_project.yml),
 * so the project needs no YAML library. Strings are double-quoted JSON strings, which YAML reads
 * back exactly (Chinese text, colons, quotes, newlines); keys that are plain words stay bare.
 */
export function toYaml(value: unknown, indent = 0): string {
  return `${emit(value, indent)}\n`;
}

type Data = string | number | boolean | null | undefined | readonly Data[] | { readonly [key: string]: Data };

function emit(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  const v = value as Data;
  if (Array.isArray(v)) {
    if (v.length === 0) return `${pad}[]`;
    return v
      .map((item) => {
        if (isBlock(item)) return `${pad}- ${emit(item, indent + 2).trimStart()}`;
        return `${pad}- ${scalar(item)}`;
      })
      .join('\n');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return `${pad}{}`;
    return entries
      .map(([key, item]) =>
        isBlock(item)
          ? `${pad}${keyOf(key)}:\n${emit(item, indent + 2)}`
          : `${pad}${keyOf(key)}: ${scalar(item)}`,
      )
      .join('\n');
  }
  return `${pad}${scalar(v)}`;
}

function isBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(String(value));
}

function keyOf(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
}
