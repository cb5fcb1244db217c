// Graceful shutdown: once closing, requests already in flight finish and their connections are closed after the
// answer (so a keep-alive client cannot hold shutdown open); new requests get Evolution's 503.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../wire/errors.js';

export function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) return reply.code(503).header('connection', 'close').send(errorBody(503, ['The server is shutting down; retry shortly']));
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
