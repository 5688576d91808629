/**
 * Package signing: publisher and registry signatures over a fixed document, the operator's
 * trust store, and the check the runner makes before a plugin reaches a sandbox. SIGNING.md
 * describes the formats for operators and for verification with other tools.
 */
export { canonicalJson } from './canonical-json.ts';
export { KEY_ID, generateSigningKey, isSignatureB64, keyIdOf, keyIdOfPrivateKey, signDocument, verifyDocument } from './keys.ts';
export type { SigningKey } from './keys.ts';
export { SHA512_DIGEST, canonicalManifest, manifestDigest } from './manifest-digest.ts';
export { SignatureError } from './signature-error.ts';
export type { SignatureErrorCode } from './signature-error.ts';
export { DOCUMENT_HEADER, checkSubject, signedDocument, signedDocumentText } from './signed-document.ts';
export type { SignatureRole, SignedDocumentFields, SignedSubject } from './signed-document.ts';
export {
  PublisherKeySchema,
  RegistryKeySchema,
  TrustStoreError,
  TrustStoreSchema,
  findPublisherKey,
  findRegistryKey,
  isScope,
  loadTrustStore,
  parseTrustStore,
  scopeMatches,
  scopesCovering,
} from './trust-store.ts';
export type { PublisherKey, RegistryKey, TrustStore, TrustStoreInput } from './trust-store.ts';
export { signAsPublisher, signAsRegistry, verifyPackageSignatures, verifyPublisherSignature } from './verify-package.ts';
export type { KeySignature, PackageVersion, VerifyPackageInput, VerifyPublisherInput } from './verify-package.ts';
