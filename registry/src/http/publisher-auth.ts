/**
 * Publisher authentication of the write routes (ADR 005): `Authorization: Bearer <token>`, a
 * token the registry operator issued for some scopes. It is checked in `onRequest`, before the
 * body is read, so an anonymous client cannot make the registry parse a 20 MB upload; the scope
 * is checked once the name in the path has been validated. The token only says who may write;
 * the publisher's Ed25519 signature is still checked against the trust store by the service.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { grantCovers } from '../service/publish-tokens.ts';
import type { PublishGrant } from '../service/publish-tokens.ts';
import { RegistryHttpError } from './http-errors.ts';

/** What the routes need of the token store (PublishTokens implements it). */
export interface TokenAuthenticator {
  authenticate(token: string): Promise<PublishGrant | null>;
}

const grants = new WeakMap<FastifyRequest, PublishGrant>();

const TOKEN_HINT = 'Send Authorization: Bearer <token> with a publish token from the registry operator (townes registry token create --scope @your-scope/*).';

/** An onRequest hook: 401 unless the request carries a valid, unrevoked publish token. */
export function requirePublishToken(tokens: TokenAuthenticator) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      reply.header('www-authenticate', 'Bearer realm="townes-registry"');
      throw new RegistryHttpError(401, 'UNAUTHENTICATED', header ? 'the Authorization header is not a Bearer token' : 'this route needs a publish token', TOKEN_HINT);
    }
    const grant = await tokens.authenticate(match[1]);
    if (!grant) {
      reply.header('www-authenticate', 'Bearer realm="townes-registry", error="invalid_token"');
      throw new RegistryHttpError(401, 'INVALID_TOKEN', 'the publish token is unknown or revoked', TOKEN_HINT);
    }
    grants.set(request, grant);
  };
}

/** The grant of an authenticated request; throws 403 when it does not cover `name`. */
export function requireScope(request: FastifyRequest, name: string): PublishGrant {
  const grant = grants.get(request);
  if (!grant) throw new Error('requireScope on a route without requirePublishToken');
  if (!grantCovers(grant, name)) {
    throw new RegistryHttpError(
      403,
      'TOKEN_OUT_OF_SCOPE',
      `this publish token (${grant.tokenId}, ${grant.label}) may publish ${grant.scopes.join(', ')}, not ${name}`,
      'Publish under a scope your token covers, or ask the registry operator for a token with this scope.',
    );
  }
  return grant;
}
