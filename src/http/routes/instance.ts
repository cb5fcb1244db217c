// `/instance/*` (compat §3.2, §4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { badRequest } from '../../domain/errors.js';
import { instanceParams } from '../../wire/common.js';
import {
  connectionStateResponse,
  connectQuery,
  connectResponse,
  createInputFromBody,
  createInstanceBody,
  createResponse,
  deleteResponse,
  fetchInstancesQuery,
  instanceRow,
  logoutResponse,
  pairingNumberOf,
  setPresenceBody,
  wantsChatwoot,
} from '../../wire/instance.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const tags = ['Instance'];

export function instanceRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/instance/create', {
    config: { auth: 'global' },
    schema: { tags, summary: 'Create an instance (global key only)', body: createInstanceBody },
    handler: async (request, reply) => {
      // The Chatwoot bridge is not part of this server; Evolution answers the same when it is disabled.
      if (wantsChatwoot(request.body)) throw badRequest('Chatwoot is disabled');
      const input = createInputFromBody(request.body);
      for (const e of input.endpoints ?? []) {
        if (!ctx.eventConfig.isAvailable(e.transport)) throw badRequest(`${e.transport} events are disabled on this server: set ${e.transport.toUpperCase()}_ENABLED=true`);
        if (e.transport === 'webhook') await ctx.eventConfig.checkUrl('webhook.url', String(e.settings.config.url));
      }
      const created = await ctx.instances.create(input);
      let connected;
      if (request.body.qrcode === true && ctx.instances.channelAvailable(created.instance.integration)) {
        connected = await ctx.instances.connect(created.instance, pairingNumberOf(request.body));
      }
      const context = { serverUrl: ctx.config.serverUrl, metaVerifyToken: ctx.config.metaVerifyToken };
      return reply.code(201).send(createResponse(created, context, request.body, connected));
    },
  });

  r.get('/instance/fetchInstances', {
    config: { auth: 'any' },
    schema: { tags, summary: 'List instances (an instance token sees only its own)', querystring: fetchInstancesQuery },
    handler: async (request) => {
      const caller = request.caller!;
      const views = await ctx.instances.list({
        name: request.query.instanceName,
        id: request.query.instanceId,
        number: request.query.number,
        token: caller.kind === 'instance' ? caller.token : undefined,
      });
      return views.map(instanceRow);
    },
  });

  r.get('/instance/connect/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Connect: QR code, pairing code, or the current state', params: instanceParams, querystring: connectQuery },
    handler: async (request) => {
      const instance = routeInstance(request);
      const result = await ctx.instances.connect(instance, request.query.number?.replace(/^\+/, ''));
      return connectResponse(instance, result);
    },
  });

  r.post('/instance/restart/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Restart the connection', params: instanceParams },
    handler: async (request) => {
      const instance = routeInstance(request);
      return connectResponse(instance, await ctx.instances.restart(instance));
    },
  });

  r.get('/instance/connectionState/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Connection state', params: instanceParams },
    handler: async (request) => connectionStateResponse(routeInstance(request)),
  });

  r.post('/instance/setPresence/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Set the account presence', params: instanceParams, body: setPresenceBody },
    handler: async (request, reply) => {
      await ctx.instances.setPresence(routeInstance(request), request.body.presence);
      return reply.code(201).send({ presence: request.body.presence });
    },
  });

  r.delete('/instance/logout/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Log out (unlink the device); the instance stays', params: instanceParams },
    handler: async (request) => {
      await ctx.instances.logout(routeInstance(request));
      return logoutResponse;
    },
  });

  r.delete('/instance/delete/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags, summary: 'Delete the instance and all its data', params: instanceParams },
    handler: async (request) => {
      await ctx.instances.delete(routeInstance(request));
      return deleteResponse;
    },
  });
}
