/**
 * The one error type of the signing module. Callers (the runner's sync, the registry's accept
 * route) branch on `code`, never on the message; the message is for the operator who reads the
 * log, so it names the package, the key and what to do about it.
 */

export type SignatureErrorCode =
  /** The publisher's key is not in the operator's trust store. */
  | 'UNTRUSTED_KEY'
  /** The publisher's key is trusted, but not for this package name. */
  | 'KEY_OUT_OF_SCOPE'
  /** The key (publisher or registry) is marked revoked in the trust store. */
  | 'KEY_REVOKED'
  /** The signature does not match the document rebuilt from what we were given. */
  | 'BAD_SIGNATURE'
  /** The registry's key is unknown, expired (past `notAfter`) or not a registry key. */
  | 'UNTRUSTED_REGISTRY'
  /** An input cannot even be put in a document: bad name, version, digest, key id, signature, manifest. */
  | 'MALFORMED';

export class SignatureError extends Error {
  readonly code: SignatureErrorCode;
  constructor(code: SignatureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignatureError';
    this.code = code;
  }
}
