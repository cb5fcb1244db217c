// The delivery API (Parley extension): see what was delivered, what waits and why, replay, re-enable endpoints.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { instanceParams } from '../../wire/common.js';
import { deliveryListQuery, deliveryView, enableEndpointBody, endpointView, replayBody } from '../../wire/deliveries.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const tags = ['Deliveries (Parley)'];

export function deliveryRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/events/deliveries/:instanceName', {
    config: { auth: 'instance' },
    schema: {
      tags,
      summary: 'Deliveries of the instance’s events, newest first: status, attempts, next attempt, last error',
      description: 'Global endpoints (from the environment) are shown to the global key only.',
      params: instanceParams,
      querystring: deliveryListQuery,
    },
    handler: async (request) => {
      const q = request.query;
      const rows = await ctx.eventConfig.listDeliveries(
        routeInstance(request),
        { status: q.status, eventId: q.eventId, endpointId: q.endpointId, from: q.from, to: q.to, limit: q.limit, beforeSeq: q.before },
        request.caller?.kind === 'global',
      );
      return rows.map(deliveryView);
    },
  });

  r.post('/events/replay/:instanceName', {
    config: { auth: 'instance' },
    schema: {
      tags,
      summary: 'Deliver events again (one event, a time range, or every dead letter), with their original event ids',
      params: instanceParams,
      body: replayBody,
    },
    handler: async (request, reply) => {
      const count = await ctx.eventConfig.replay(routeInstance(request), request.body, request.caller?.kind === 'global');
      return reply.code(201).send({ replayed: count });
    },
  });

  r.get('/events/endpoints/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'The instance’s event endpoints and whether each is enabled', params: instanceParams },
    handler: async (request) => (await ctx.eventConfig.listEndpoints(routeInstance(request))).map(endpointView),
  });

  r.post('/events/endpoints/enable/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Re-enable an endpoint Parley disabled (e.g. after 410 Gone); its waiting events resume', params: instanceParams, body: enableEndpointBody },
    handler: async (request, reply) => reply.code(201).send(endpointView(await ctx.eventConfig.enableEndpoint(routeInstance(request), request.body.endpointId))),
  });
}
