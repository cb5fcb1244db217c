// Chatbot configuration routes for the seven bot types (compat §3.10): create, find, fetch, update, delete, settings,
// fetchSettings, ignoreJid; plus `/openai/creds` and `/openai/getModels`. Session routes live in chatbot-sessions.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CHATBOT_PROVIDERS, type ChatbotProviderName } from '../../domain/chatbot.js';
import { botBody, botDraft, botParams, credsBody, credsParams, ignoreJidBody, modelsQuery, settingsBody, settingsDraft, type BotBody } from '../../wire/chatbots/bodies.js';
import { botRow, credsListRow, credsRow, fetchSettingsResponse, settingsRow } from '../../wire/chatbots/rows.js';
import { instanceParams } from '../../wire/common.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { sendJson } from '../reply.js';

export function chatbotRoutes(app: FastifyInstance, ctx: HttpContext): void {
  for (const provider of CHATBOT_PROVIDERS) botRoutes(app, ctx, provider);
  openAiRoutes(app, ctx);
}

function botRoutes(app: FastifyInstance, ctx: HttpContext, p: ChatbotProviderName): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = [`Chatbot: ${p}`];
  // The env gate answers before the body is validated: a disabled integration says so whatever the body.
  const preValidation = async () => ctx.chatbots.assertEnabled(p);
  const common = { config: { auth: 'instance' as const }, preValidation };
  const botId = (request: FastifyRequest) => (request.params as { botId: string }).botId;

  r.post(`/${p}/create/:instanceName`, {
    ...common,
    schema: { tags, summary: `Create a ${p} bot`, params: instanceParams, body: botBody(p) },
    handler: async (request, reply) => {
      const bot = await ctx.chatbots.createBot(routeInstance(request), p, botDraft(p, request.body as BotBody));
      return reply.code(201).send(botRow(bot));
    },
  });

  r.get(`/${p}/find/:instanceName`, {
    ...common,
    schema: { tags, summary: `The instance's ${p} bots`, params: instanceParams },
    handler: async (request, reply) => {
      const bots = await ctx.chatbots.listBots(routeInstance(request), p);
      return reply.code(200).send(bots.map(botRow));
    },
  });

  r.get(`/${p}/fetch/:botId/:instanceName`, {
    ...common,
    schema: { tags, summary: `One ${p} bot of the instance (null when unknown)`, params: botParams },
    handler: async (request, reply) => {
      const bot = await ctx.chatbots.fetchBot(routeInstance(request), p, botId(request));
      return sendJson(reply, 200, bot === undefined ? null : botRow(bot));
    },
  });

  r.put(`/${p}/update/:botId/:instanceName`, {
    ...common,
    schema: { tags, summary: `Update a ${p} bot (fields left out keep their values)`, params: botParams, body: botBody(p) },
    handler: async (request, reply) => {
      const bot = await ctx.chatbots.updateBot(routeInstance(request), p, botId(request), botDraft(p, request.body as BotBody));
      return reply.code(200).send(botRow(bot));
    },
  });

  r.delete(`/${p}/delete/:botId/:instanceName`, {
    ...common,
    schema: { tags, summary: `Delete a ${p} bot and its sessions`, params: botParams },
    handler: async (request, reply) => {
      const id = botId(request);
      await ctx.chatbots.deleteBot(routeInstance(request), p, id);
      return reply.code(200).send({ bot: { id } });
    },
  });

  r.post(`/${p}/settings/:instanceName`, {
    ...common,
    schema: { tags, summary: `Set the instance's ${p} settings (fallbackId or the per-type fallback field)`, params: instanceParams, body: settingsBody(p) },
    handler: async (request, reply) => {
      const stored = await ctx.chatbots.setSettings(routeInstance(request), p, settingsDraft(p, request.body as Record<string, unknown>));
      return reply.code(200).send(settingsRow(stored));
    },
  });

  r.get(`/${p}/fetchSettings/:instanceName`, {
    ...common,
    schema: { tags, summary: `The instance's ${p} settings with the fallback bot (defaults when never set)`, params: instanceParams },
    handler: async (request, reply) => {
      const { settings, fallback } = await ctx.chatbots.fetchSettings(routeInstance(request), p);
      return reply.code(200).send(fetchSettingsResponse(p, settings, fallback));
    },
  });

  r.post(`/${p}/ignoreJid/:instanceName`, {
    ...common,
    schema: { tags, summary: `Add or remove a jid the ${p} bots ignore (creates the settings row if needed)`, params: instanceParams, body: ignoreJidBody },
    handler: async (request, reply) => {
      const { remoteJid, action } = request.body;
      const ignoreJids = await ctx.chatbots.ignoreJid(routeInstance(request), p, remoteJid, action);
      return reply.code(200).send({ ignoreJids });
    },
  });
}

function openAiRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Chatbot: openai'];
  const common = { config: { auth: 'instance' as const }, preValidation: async () => ctx.chatbots.assertEnabled('openai') };

  r.post('/openai/creds/:instanceName', {
    ...common,
    schema: { tags, summary: 'Store OpenAI credentials (name and key unique within the instance)', params: instanceParams, body: credsBody },
    handler: async (request, reply) => {
      const creds = await ctx.openAiCreds.create(routeInstance(request), request.body.name, request.body.apiKey);
      return reply.code(201).send(credsRow(creds));
    },
  });

  r.get('/openai/creds/:instanceName', {
    ...common,
    schema: { tags, summary: 'The instance\'s OpenAI credentials, each with its bots', params: instanceParams },
    handler: async (request, reply) => {
      const list = await ctx.openAiCreds.list(routeInstance(request));
      return reply.code(200).send(list.map(({ creds, bots }) => credsListRow(creds, bots)));
    },
  });

  r.delete('/openai/creds/:openaiCredsId/:instanceName', {
    ...common,
    schema: { tags, summary: 'Delete OpenAI credentials and the bots that use them', params: credsParams },
    handler: async (request, reply) => {
      const id = request.params.openaiCredsId;
      await ctx.openAiCreds.delete(routeInstance(request), id);
      return reply.code(200).send({ openaiCreds: { id } });
    },
  });

  r.get('/openai/getModels/:instanceName', {
    ...common,
    schema: { tags, summary: 'OpenAI models.list with the given or the settings\' credentials (OPENAI_API_KEY_GLOBAL otherwise)', params: instanceParams, querystring: modelsQuery },
    handler: async (request, reply) => {
      const models = await ctx.openAiCreds.models(routeInstance(request), request.query.openaiCredsId);
      return reply.code(200).send(models);
    },
  });
}
