// Chatbot session routes: `/{bot}/changeStatus`, `/{bot}/fetchSessions/{botId}`, `/typebot/start` (compat §3.10,
// §6.5), and Parley's `GET /chatbot/sessions/{instance}` listing every session with provider, bot, activity and expiry.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CHATBOT_PROVIDERS, type ChatbotProviderName } from '../../domain/chatbot.js';
import { notFound } from '../../domain/errors.js';
import {
  changeStatusBody, changeStatusResponse, integrationSession, PROVIDER_LABEL, prefilledVariables, sessionListEntry, sessionListQuery,
  typebotStartBody, typebotStartResponse,
} from '../../wire/chatbots/sessions.js';
import { instanceParams } from '../../wire/common.js';
import { z } from 'zod';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const botIdParams = z.object({ botId: z.string(), instanceName: z.string() });

export function chatbotSessionRoutes(app: FastifyInstance, ctx: HttpContext): void {
  for (const provider of CHATBOT_PROVIDERS) providerSessionRoutes(app, ctx, provider);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/typebot/start/:instanceName', {
    config: { auth: 'instance' as const },
    preValidation: async () => ctx.chatbots.assertEnabled('typebot'),
    schema: { tags: ['Chatbot: typebot'], summary: 'Start a Typebot flow for a contact and send its first messages', params: instanceParams, body: typebotStartBody },
    handler: async (request, reply) => {
      const instance = routeInstance(request);
      const b = request.body;
      if (b.remoteJid === 'status@broadcast') return reply.code(200).send();
      await ctx.chatbotSessions.typebotStart(instance, { remoteJid: b.remoteJid, url: b.url, typebot: b.typebot, startSession: b.startSession ?? false, variables: prefilledVariables(b.variables) });
      return reply.code(200).send(typebotStartResponse(instance.name, b));
    },
  });

  r.get('/chatbot/sessions/:instanceName', {
    config: { auth: 'instance' as const },
    schema: {
      tags: ['Chatbot sessions'],
      summary: 'Parley: every chatbot session of the instance with provider, bot, status, last activity and expiry time',
      params: instanceParams,
      querystring: sessionListQuery,
    },
    handler: async (request, reply) => {
      const rows = await ctx.chatbotSessions.list(routeInstance(request), request.query);
      return reply.code(200).send(rows.map(({ session, bot }) => sessionListEntry(session, bot)));
    },
  });
}

function providerSessionRoutes(app: FastifyInstance, ctx: HttpContext, p: ChatbotProviderName): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = [`Chatbot: ${p}`];
  const common = { config: { auth: 'instance' as const }, preValidation: async () => ctx.chatbots.assertEnabled(p) };

  r.post(`/${p}/changeStatus/:instanceName`, {
    ...common,
    schema: { tags, summary: 'Open, pause, close or delete the contact\'s bot session', params: instanceParams, body: changeStatusBody },
    handler: async (request, reply) => {
      const outcome = await ctx.chatbotSessions.changeStatus(routeInstance(request), p, request.body.remoteJid, request.body.status);
      return reply.code(200).send(changeStatusResponse(outcome));
    },
  });

  r.get(`/${p}/fetchSessions/:botId/:instanceName`, {
    ...common,
    schema: { tags, summary: `The sessions of one ${p} bot of the instance`, params: botIdParams },
    handler: async (request, reply) => {
      const sessions = await ctx.chatbotSessions.fetchSessions(routeInstance(request), p, request.params.botId);
      if (sessions === undefined) throw notFound(`${PROVIDER_LABEL[p]} not found`);
      return reply.code(200).send(sessions.map(integrationSession));
    },
  });
}
