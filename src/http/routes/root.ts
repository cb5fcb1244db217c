// `GET /`, `POST /verify-creds`, `/health`, `/ready` (compat §3.1). `GET /` answers locally: no outbound calls.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../../wire/errors.js';
import type { HttpContext } from '../context.js';

/** The Evolution API version whose wire surface this server speaks. */
export const EVOLUTION_COMPAT_VERSION = '2.3.6';

export function rootRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/', { schema: { tags: ['Info'], summary: 'Server information' } }, async () => ({
    status: 200,
    message: 'Welcome to the Evolution API, it is working!',
    version: EVOLUTION_COMPAT_VERSION,
    clientName: ctx.config.clientName,
    documentation: `${ctx.config.serverUrl}/docs`,
    parley: { version: ctx.version },
  }));

  app.post(
    '/verify-creds',
    { config: { auth: 'global' }, schema: { tags: ['Info'], summary: 'Check the global API key (Manager login)' } },
    async () => ({
      status: 200,
      message: 'Credentials are valid',
      facebookAppId: ctx.config.facebook.appId,
      facebookConfigId: ctx.config.facebook.configId,
      facebookUserToken: ctx.config.facebook.userToken,
    }),
  );

  app.get('/health', { schema: { tags: ['Operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags: ['Operations'], summary: 'Readiness: the database answers' } }, async (_request, reply) => {
    try {
      await ctx.ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send(errorBody(503, ['database is not reachable']));
    }
  });
}
