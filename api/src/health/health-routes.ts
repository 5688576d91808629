import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../server/api-deps.ts';

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });
const Readiness = z.object({ ready: z.boolean(), checks: z.object({ postgres: Check, redis: Check }) }).meta({ id: 'Readiness' });

async function probe(run: () => Promise<unknown>): Promise<z.infer<typeof Check>> {
  try {
    await Promise.race([run(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** `/healthz`: the process answers. `/readyz`: PostgreSQL and Redis answer too (503 otherwise). */
export const healthRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/healthz', { schema: { tags: ['health'], operationId: 'healthz', summary: 'Alive', response: { 200: z.object({ ok: z.literal(true) }) } } }, async () => ({ ok: true as const }));

  app.get('/readyz', {
    schema: { tags: ['health'], operationId: 'readyz', summary: 'Ready: PostgreSQL and Redis reachable', response: { 200: Readiness, 503: Readiness } },
  }, async (_request, reply) => {
    const [postgres, redis] = await Promise.all([probe(() => deps.orm.em.getConnection().execute('select 1')), probe(() => deps.redis.ping())]);
    const ready = postgres.ok && redis.ok;
    return reply.code(ready ? 200 : 503).send({ ready, checks: { postgres, redis } });
  });
};
