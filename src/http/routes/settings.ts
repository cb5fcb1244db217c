// `/settings/*` (compat §3.3).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { instanceParams } from '../../wire/common.js';
import { settingsFromBody, settingsSetBody, settingsSetResponse, settingsValues } from '../../wire/settings.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { sendJson } from '../reply.js';

const tags = ['Settings'];

export function settingsRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/settings/set/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Set the behaviour settings', params: instanceParams, body: settingsSetBody },
    handler: async (request, reply) => {
      const instance = routeInstance(request);
      const stored = await ctx.instanceConfig.setSettings(instance, settingsFromBody(request.body));
      return reply.code(201).send(settingsSetResponse(instance.name, stored));
    },
  });

  r.get('/settings/find/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Read the behaviour settings (null when never set)', params: instanceParams },
    handler: async (request, reply) => {
      const stored = await ctx.instanceConfig.findSettings(routeInstance(request));
      return sendJson(reply, 200, stored === null ? null : settingsValues(stored));
    },
  });
}
