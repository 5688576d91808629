import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.ts';

const NUL_IN_JSON = /\\u0000/i;
const NUL_IN_URL = /%00/;

const refusal = () => new ApiError(400, 'INVALID_VALUE', 'the request contains a NUL character (U+0000), which no text the platform keeps may hold', 'Remove the NUL characters and retry.');

/**
 * PostgreSQL cannot hold U+0000 in text (a parameter carrying one even breaks the wire protocol),
 * and nothing the platform stores needs it: a request carrying one, in its URL or its JSON body,
 * is refused at the door with a 400 instead of failing in the database with a 500.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (NUL_IN_URL.test(request.url)) throw refusal();
  });
  // Fastify's own JSON parser (with its prototype-poisoning protection), behind a NUL check
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (NUL_IN_JSON.test(body as string)) return done(refusal(), undefined);
    void parseJson(request, body as string, done);
  });
}
