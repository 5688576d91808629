/**
 * Every error a registry route can meet, turned into the platform's one error shape
 * (`{ error: { code, message, hint?, requestId } }`) and the right status. Bad input of any kind
 * (a malformed body, an unsafe or oversized tarball, a signature that does not verify) is a 4xx;
 * a 5xx means the registry itself is broken, and its message never leaks internals.
 */
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { UnsafeArchiveError } from '../package/errors.ts';
import type { UnsafeArchiveCode } from '../package/errors.ts';
import { SignatureError } from '../signing/signature-error.ts';
import type { SignatureErrorCode } from '../signing/signature-error.ts';
import { RegistryError } from '../service/registry-errors.ts';
import type { RegistryErrorCode } from '../service/registry-errors.ts';
import { BlobIntegrityError } from '../storage/blob-store.ts';

/** What a route answers for an error, before the request id is added. */
export interface MappedError {
  status: number;
  code: string;
  message: string;
  hint?: string;
}

/** An error a route raises itself (authentication, a URL that disagrees with the tarball). */
export class RegistryHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(status: number, code: string, message: string, hint?: string) {
    super(message);
    this.name = 'RegistryHttpError';
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

const REGISTRY: Record<RegistryErrorCode, { status: number; hint?: string }> = {
  VERSION_EXISTS: { status: 409, hint: 'Published versions never change: bump the version in the manifest and package.json, build, pack, sign and publish again.' },
  NOT_FOUND: { status: 404, hint: 'Check the name and version; GET /packages?q=<text> searches the registry.' },
  INVALID_INPUT: { status: 400 },
  PACKAGE_MISMATCH: { status: 400, hint: 'Publish the tarball to the URL of the name and version its manifest declares (townes plugin publish does this for you).' },
  BLOB_MISSING: { status: 500, hint: 'The registry operator must restore the blob store from a backup.' },
};

const SIGNATURE: Record<SignatureErrorCode, { status: number; hint: string }> = {
  MALFORMED: { status: 400, hint: 'Sign the tarball again with `townes plugin sign` and publish the signature file it writes.' },
  UNTRUSTED_KEY: { status: 403, hint: "Ask the registry operator to add your public key (townes plugin keygen prints the entry) to the registry's trust store for your scope." },
  KEY_OUT_OF_SCOPE: { status: 403, hint: "The registry trusts this key for other names only; publish under your own scope, or ask the operator to extend the key's scopes." },
  KEY_REVOKED: { status: 403, hint: 'This key is revoked; sign with your current key (or ask the operator to trust a new one).' },
  BAD_SIGNATURE: { status: 400, hint: 'The signature does not belong to this tarball: sign exactly the file you publish (townes plugin sign <tarball> --key <key>).' },
  UNTRUSTED_REGISTRY: { status: 500, hint: 'The registry is misconfigured; tell its operator.' },
};

const SIZE_LIMITS = new Set<UnsafeArchiveCode>(['COMPRESSION_BOMB', 'TOO_MANY_FILES', 'FILE_TOO_LARGE', 'TOTAL_TOO_LARGE']);

function archiveHint(code: UnsafeArchiveCode): string {
  if (SIZE_LIMITS.has(code)) return 'Plugin packages hold at most 64 files, 8 MiB per file and 16 MiB in all: keep only the bundled entry, the manifest and a README.';
  if (code === 'INVALID_MANIFEST' || code === 'MANIFEST_MISMATCH' || code === 'MISSING_FILE' || code === 'INVALID_PACKAGE_JSON') {
    return 'Build the plugin (townes plugin build) and pack it with townes plugin pack; the tarball must hold package.json, townes.plugin.json and the entry they name.';
  }
  return 'Pack the plugin with townes plugin pack: the registry accepts only plain npm-style plugin tarballs of regular files under package/.';
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Map any thrown value to a status and the error shape's fields. */
export function mapError(error: unknown): MappedError {
  if (error instanceof RegistryHttpError) return { status: error.status, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'request';
    const problems = error.validation.map((v) => `${[where, ...(v.instancePath ?? '').split('/').filter(Boolean)].join('.')}: ${v.message ?? 'invalid'}`);
    return { status: 400, code: 'VALIDATION_FAILED', message: `the request is not valid: ${problems.join('; ')}`, hint: 'Fix the fields named above; the OpenAPI document describes every route.' };
  }
  if (error instanceof RegistryError) {
    const { status, hint } = REGISTRY[error.code];
    return { status, code: error.code, message: status >= 500 ? 'the registry cannot serve this version right now' : error.message, ...(hint ? { hint } : {}) };
  }
  if (error instanceof SignatureError) {
    const { status, hint } = SIGNATURE[error.code];
    const code = error.code === 'MALFORMED' ? 'SIGNATURE_MALFORMED' : error.code;
    return { status, code, message: status >= 500 ? 'the registry could not countersign this version' : error.message, hint };
  }
  if (error instanceof UnsafeArchiveError) {
    return { status: SIZE_LIMITS.has(error.code) ? 413 : 400, code: `ARCHIVE_${error.code}`, message: `the tarball was refused: ${error.message}`, hint: archiveHint(error.code) };
  }
  if (error instanceof BlobIntegrityError) {
    return { status: 500, code: 'BLOB_CORRUPT', message: 'the stored tarball of this version is corrupted and is not served', hint: 'The registry operator must restore the blob store from a backup.' };
  }
  return mapFastifyError(error as FastifyLikeError);
}

/** Fastify's own errors (body parsing, limits, media types) keep their 4xx status under our shape. */
function mapFastifyError(error: FastifyLikeError): MappedError {
  const status = typeof error?.statusCode === 'number' ? error.statusCode : 500;
  const fastifyCode = typeof error?.code === 'string' ? error.code : '';
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this route accepts', hint: 'A plugin tarball holds at most 16 MiB of files; trim the package (only the bundle, manifest and README belong in it).' };
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this route accepts application/json only', hint: 'Send the body as JSON with Content-Type: application/json.' };
  }
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && status === 400)) {
    return { status: 400, code: 'INVALID_JSON', message: 'the request body is not valid JSON', hint: 'Send a JSON object as the OpenAPI document describes.' };
  }
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH') {
    return { status: 414, code: 'URI_TOO_LONG', message: 'a path segment of the URL is too long', hint: 'Package names are at most 214 characters.' };
  }
  if (status >= 400 && status < 500) {
    const code = /^FST_ERR_/.test(fastifyCode) ? 'BAD_REQUEST' : /^[A-Z][A-Z0-9_]*$/.test(fastifyCode) ? fastifyCode : 'BAD_REQUEST';
    return { status, code, message: typeof error?.message === 'string' ? error.message : 'bad request' };
  }
  return { status: 500, code: 'INTERNAL', message: 'the registry failed to answer this request', hint: 'Retry later; if it persists, give the registry operator the request id.' };
}
