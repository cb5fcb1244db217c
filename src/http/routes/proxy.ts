// `/proxy/*` (compat §3.4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { instanceParams } from '../../wire/common.js';
import { proxyFromBody, proxyRow, proxySetBody, proxySetResponse } from '../../wire/proxy.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { sendJson } from '../reply.js';

const tags = ['Proxy'];

export function proxyRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/proxy/set/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Set the proxy used from the next (re)connect', params: instanceParams, body: proxySetBody },
    handler: async (request, reply) => {
      const instance = routeInstance(request);
      const stored = await ctx.instanceConfig.setProxy(instance, proxyFromBody(request.body));
      return reply.code(201).send(proxySetResponse(instance.name, stored));
    },
  });

  r.get('/proxy/find/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Read the proxy row (null when never set)', params: instanceParams },
    handler: async (request, reply) => {
      const stored = await ctx.instanceConfig.findProxy(routeInstance(request));
      return sendJson(reply, 200, stored === null ? null : proxyRow(stored));
    },
  });
}
