/**
 * Checks simulator traffic against Discord's official OpenAPI spec (3.1, JSON Schema 2020-12).
 * A copy is kept beside this file in discord-api-spec/ (MIT, from discord/discord-api-spec; its
 * VERSION file names the commit), so the checks run wherever the tests run; DISCORD_OPENAPI_SPEC
 * points at another copy.
 *
 * The JSON-schema validator is ajv 8, which is in node_modules only as a dependency of
 * @seriousme/openapi-schema-validator (the hoisted `ajv` is an old v6 without 2020-12), so it is
 * loaded from there rather than added as a package of its own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { RecordedRequest } from '@townesdev/sdk/simulator';

interface AjvValidate {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface Ajv {
  addSchema(schema: object, key: string): void;
  compile(schema: object): AjvValidate;
}
type AjvConstructor = new (options: Record<string, unknown>) => Ajv;

type Json = Record<string, unknown>;

/**
 * Where the preview spec and Discord's documented (and actual) replies disagree, the simulator
 * follows Discord: `_errors[].code` is a string such as "BASE_TYPE_REQUIRED" (the spec says
 * integer), and a 429 body is `{ message, retry_after, global }` without `code`.
 */
const KNOWN_SPEC_GAPS: RegExp[] = [
  / 400 reply: \/errors\b.*(code must be integer|must match exactly one schema in oneOf|must be object|must have required property '_errors'|must NOT have additional properties)$/,
  / 429 reply: \/ must have required property 'code'$/,
];

export const SPEC_PATH = process.env.DISCORD_OPENAPI_SPEC ?? fileURLToPath(new URL('./discord-api-spec/openapi.json', import.meta.url));

export class DiscordOpenApi {
  readonly #spec: Json;
  readonly #ajv: Ajv;
  readonly #templates: { template: string; pattern: RegExp; params: number }[];
  readonly #compiled = new Map<string, AjvValidate>();

  constructor(spec: Json) {
    this.#spec = spec;
    const require = createRequire(import.meta.resolve('@seriousme/openapi-schema-validator'));
    const ajvModule = require('ajv/dist/2020.js') as { default: AjvConstructor };
    this.#ajv = new ajvModule.default({ strict: false, allErrors: true, validateFormats: false });
    this.#ajv.addSchema({ $id: 'discord', components: spec.components }, 'discord');
    this.#templates = Object.keys(spec.paths as Json).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (template.match(/\{/g) ?? []).length,
    }));
  }

  /** The spec's path template for a versionless route (literal segments win over parameters). */
  templateFor(route: string): string | null {
    const matches = this.#templates.filter((t) => t.pattern.test(route)).sort((a, b) => a.params - b.params);
    return matches[0]?.template ?? null;
  }

  /** Validation errors of a JSON request body; [] when it conforms. */
  requestErrors(method: string, route: string, body: unknown): string[] {
    const operation = this.#operation(method, route);
    if (typeof operation === 'string') return [operation];
    const schema = dig(operation, ['requestBody', 'content', 'application/json', 'schema']);
    if (!schema) return body === undefined ? [] : [`${method} ${route}: the spec defines no JSON body`];
    return this.#check(`${method} ${route} request`, schema, body);
  }

  /** Validation errors of a reply; [] when it conforms (204 must have no body). */
  responseErrors(method: string, route: string, status: number, body: unknown): string[] {
    const operation = this.#operation(method, route);
    if (typeof operation === 'string') return [operation];
    const responses = [String(status), `${String(status)[0]}XX`, 'default'].map((key) => this.#resolve(dig(operation, ['responses', key])));
    const response = responses.find((r) => r !== undefined && dig(r, ['content']) !== undefined) ?? responses.find((r) => r !== undefined);
    if (!response) return [`${method} ${route}: the spec defines no ${status} reply`];
    const schema = dig(response, ['content', 'application/json', 'schema']);
    if (!schema) return body === undefined ? [] : [`${method} ${route}: the spec's ${status} reply has no body`];
    return this.#check(`${method} ${route} ${status} reply`, schema, body);
  }

  /** Both sides of a recorded exchange. */
  exchangeErrors(request: RecordedRequest): string[] {
    return [...this.requestErrors(request.method, request.route, request.body), ...this.responseErrors(request.method, request.route, request.status, request.reply)];
  }

  #operation(method: string, route: string): Json | string {
    const template = this.templateFor(route);
    if (template === null) return `${route}: not a path of the spec`;
    const operation = dig(this.#spec, ['paths', template, method.toLowerCase()]);
    return operation ?? `${method} ${template}: not an operation of the spec`;
  }

  /** Follows a `$ref` to `#/components/responses/...` (the spec's shared 4XX and 429 replies). */
  #resolve(value: Json | undefined): Json | undefined {
    const ref = value?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return value;
    return dig(this.#spec, ref.slice(2).split('/'));
  }

  #check(label: string, schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(rebase(schema) as object);
      this.#compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .map((e) => `${label}: ${e.instancePath || '/'} ${e.message ?? 'invalid'}`)
      .filter((error) => !KNOWN_SPEC_GAPS.some((gap) => gap.test(error)));
  }
}

/** Loads the spec, or null when it is not on this machine (the check is then skipped). */
export function loadDiscordOpenApi(): DiscordOpenApi {
  return new DiscordOpenApi(JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json);
}

function dig(value: unknown, keys: string[]): Json | undefined {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Json)[key];
  }
  return current !== null && typeof current === 'object' ? (current as Json) : undefined;
}

/** An operation's schema refers to `#/components/...` of the spec: point those at the `discord` schema. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `discord${v}` : rebase(v)]),
  );
}
