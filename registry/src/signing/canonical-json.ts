/**
 * Canonical JSON: one byte string per JSON value, whatever the file's formatting or key order.
 * It is what the manifest digest hashes, so a publisher and a runner that parse the same
 * manifest always hash the same bytes.
 *
 * The rules (they match RFC 8785, JSON Canonicalization Scheme, for the values a manifest holds):
 * - objects: keys sorted by UTF-16 code units (JavaScript's default `sort()`), written as
 *   `{"k":v,...}`; a key whose value is `undefined` is left out, as `JSON.stringify` does;
 * - arrays: elements in their order, `[a,b]`;
 * - strings: as `JSON.stringify` writes them (only `"`, `\` and control characters escaped,
 *   everything else as the character itself, encoded as UTF-8);
 * - numbers: as `JSON.stringify` writes them (shortest round-trip form, `1` not `1.0`);
 *   NaN and the infinities are refused rather than written as `null`;
 * - `true`, `false`, `null`; no whitespace anywhere.
 * Anything that is not plain JSON data (functions, symbols, bigints, class instances such as
 * Date or Map) is refused: silently turning it into something else would let two different
 * values share a digest.
 */

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, which JSON cannot hold`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => write(item === undefined ? null : item, `${path}[${i}]`)).join(',')}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonical JSON: ${path} is not a plain object`);
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`);
  }
  return `{${parts.join(',')}}`;
}
