// `/webhook/*`, `/websocket|rabbitmq|nats|sqs|kafka|mqtt/*` and `/pusher/*` set/find (compat §3.9).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { generateWebhookSecret } from '../../lib/standard-webhooks.js';
import { instanceParams } from '../../wire/common.js';
import { pusherSetBody, SIMPLE_TRANSPORTS, simpleSetBody, transportRow, webhookRow, webhookSetBody } from '../../wire/event-config.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { sendJson } from '../reply.js';

export function eventConfigRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/webhook/set/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Events'], summary: 'Set the instance webhook (Parley: `secret` turns on Standard Webhooks signatures)', params: instanceParams, body: webhookSetBody },
    handler: async (request, reply) => {
      const instance = routeInstance(request);
      const w = request.body.webhook;
      if (w.enabled) await ctx.eventConfig.checkUrl('webhook.url', w.url);
      const previous = await ctx.eventConfig.find(instance, 'webhook');
      const generated = w.secret === true ? generateWebhookSecret() : undefined;
      // An omitted secret keeps the one already set; false/null removes it.
      const secret = generated ?? (typeof w.secret === 'string' ? w.secret : w.secret === undefined ? previous?.config.secret : undefined);
      const endpoint = await ctx.eventConfig.set(instance, 'webhook', {
        enabled: w.enabled,
        events: w.events,
        config: { url: w.url, headers: w.headers ?? {}, byEvents: w.byEvents ?? false, base64: w.base64 ?? false, ...(secret !== undefined ? { secret } : {}) },
      });
      return reply.code(201).send(webhookRow(endpoint, generated));
    },
  });

  r.get('/webhook/find/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Events'], summary: 'Read the instance webhook (null when never set)', params: instanceParams },
    handler: async (request, reply) => {
      const endpoint = await ctx.eventConfig.find(routeInstance(request), 'webhook');
      return sendJson(reply, 200, endpoint === null ? null : webhookRow(endpoint));
    },
  });

  for (const transport of SIMPLE_TRANSPORTS) {
    r.post(`/${transport}/set/:instanceName`, {
      config: { auth: 'instance' },
      schema: { tags: ['Events'], summary: `Set the instance's ${transport} events`, params: instanceParams, body: simpleSetBody(transport) },
      handler: async (request, reply) => {
        const body = (request.body as Record<string, { enabled: boolean; events?: never[] }>)[transport]!;
        const endpoint = await ctx.eventConfig.set(routeInstance(request), transport, { enabled: body.enabled, events: body.events, config: {} });
        return reply.code(201).send(transportRow(endpoint));
      },
    });
    r.get(`/${transport}/find/:instanceName`, {
      config: { auth: 'instance' },
      schema: { tags: ['Events'], summary: `Read the instance's ${transport} events (null when never set)`, params: instanceParams },
      handler: async (request, reply) => {
        const endpoint = await ctx.eventConfig.find(routeInstance(request), transport);
        return sendJson(reply, 200, endpoint === null ? null : transportRow(endpoint));
      },
    });
  }

  r.post('/pusher/set/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Events'], summary: "Set the instance's Pusher channel", params: instanceParams, body: pusherSetBody },
    handler: async (request, reply) => {
      const { enabled, events, ...config } = request.body.pusher;
      const endpoint = await ctx.eventConfig.set(routeInstance(request), 'pusher', { enabled, events, config });
      return reply.code(201).send(transportRow(endpoint));
    },
  });

  r.get('/pusher/find/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Events'], summary: "Read the instance's Pusher channel (null when never set)", params: instanceParams },
    handler: async (request, reply) => {
      const endpoint = await ctx.eventConfig.find(routeInstance(request), 'pusher');
      return sendJson(reply, 200, endpoint === null ? null : transportRow(endpoint));
    },
  });
}
