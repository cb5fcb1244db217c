// Channels' inbound webhooks (unguarded, as in Evolution; Meta's are signature-checked when an app secret is set).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { verifySha256Header } from '../../lib/hmac.js';
import { secretsEqual } from '../../lib/secrets.js';
import { errorBody } from '../../wire/errors.js';
import { evolutionInboundBody, metaVerifyQuery } from '../../wire/provider-webhooks.js';
import type { HttpContext } from '../context.js';

const tags = ['Channel webhooks'];

export function providerWebhookRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/webhook/evolution', {
    schema: { tags, summary: 'Inbound message for an EVOLUTION instance (routed by numberId); answered once stored', body: evolutionInboundBody },
    handler: async (request) => {
      await ctx.providerWebhooks.processNow('EVOLUTION', request.body);
      return { status: 'success' };
    },
  });

  r.get('/webhook/meta', {
    schema: { tags, summary: 'Meta webhook verification handshake', querystring: metaVerifyQuery },
    handler: async (request, reply) => {
      const token = ctx.config.metaVerifyToken;
      const given = request.query['hub.verify_token'];
      const ok = token !== '' && given !== undefined && secretsEqual(given, token);
      return reply.type('text/plain').send(ok ? (request.query['hub.challenge'] ?? '') : 'Error, wrong validation token');
    },
  });

  r.post('/webhook/meta', {
    config: { keepRawBody: true },
    schema: { tags, summary: 'Meta (WhatsApp Cloud API) webhook: verified, stored, answered, then processed' },
    handler: async (request, reply) => {
      const secret = ctx.config.whatsappBusiness.appSecret;
      const raw = request.rawBody ?? '';
      if (secret !== undefined && !verifySha256Header(raw, request.headers['x-hub-signature-256'] as string | undefined, secret)) {
        return reply.code(401).send(errorBody(401, ['Invalid X-Hub-Signature-256']));
      }
      if (raw.trim() === '' || typeof request.body !== 'object' || request.body === null) {
        return reply.code(400).send(errorBody(400, ['the request body must be a JSON object']));
      }
      await ctx.providerWebhooks.accept('WHATSAPP-BUSINESS', raw);
      return { status: 'success' };
    },
  });
}
