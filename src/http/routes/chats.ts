// `/chat/*` (compat §3.6): the find routes and media read from storage; the actions needing WhatsApp Web are in
// chat-actions.ts, profile and privacy in profile.ts.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  findChatByRemoteJidQuery, findChatsBody, findContactsBody, findMessagesBody, findStatusBody, getBase64Body, markReadBody,
  mediaBase64Response, messageQueryFrom,
} from '../../wire/chats.js';
import { instanceParams } from '../../wire/common.js';
import { chatListEntry, chatRow, contactRow, messageRecord } from '../../wire/message-object.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { chatActionRoutes } from './chat-actions.js';
import { sendJson } from '../reply.js';

const tags = ['Chat'];

export function chatRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { config: { auth: 'instance' as const } };

  r.post('/chat/findMessages/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Stored messages, newest first, paginated', params: instanceParams, body: findMessagesBody },
    handler: async (request) => {
      const instance = routeInstance(request);
      const result = await ctx.conversations.findMessages(messageQueryFrom(instance.id, request.body));
      return { messages: { ...result, records: result.records.map(messageRecord) } };
    },
  });

  r.post('/chat/findChats/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Chats that have messages, with their newest message', params: instanceParams, body: findChatsBody },
    handler: async (request) => {
      const b = request.body;
      const chats = await ctx.conversations.findChats(
        routeInstance(request),
        { remoteJid: b?.where?.remoteJid, from: b?.where?.messageTimestamp?.gte, to: b?.where?.messageTimestamp?.lte },
        b?.take ?? 1000,
        b?.skip ?? 0,
      );
      return chats.map(chatListEntry);
    },
  });

  r.get('/chat/findChatByRemoteJid/:instanceName', {
    ...guard,
    schema: { tags, summary: 'One chat row (null when unknown)', params: instanceParams, querystring: findChatByRemoteJidQuery },
    handler: async (request, reply) => {
      const remoteJid = request.query.remoteJid;
      // Evolution answers this one missing parameter with a bare body, not its error envelope.
      if (!remoteJid) return reply.code(400).send({ error: 'remoteJid is a required query parameter' });
      const chat = await ctx.conversations.findChat(routeInstance(request), remoteJid);
      return sendJson(reply, 200, chat === undefined ? null : chatRow(chat));
    },
  });

  r.post('/chat/findContacts/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Contacts', params: instanceParams, body: findContactsBody },
    handler: async (request) => {
      const b = request.body;
      return (await ctx.conversations.findContacts(routeInstance(request), { remoteJid: b?.where?.remoteJid }, b?.page, b?.offset)).map(contactRow);
    },
  });

  r.post('/chat/findStatusMessage/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Status history of messages (MessageUpdate rows)', params: instanceParams, body: findStatusBody },
    handler: async (request) => {
      const b = request.body;
      const rows = await ctx.conversations.findStatuses(routeInstance(request), { remoteJid: b?.where?.remoteJid, keyId: b?.where?.id }, b?.page ?? 1, b?.offset ?? 50);
      return rows.map((u) => ({ id: u.id, keyId: u.keyId, remoteJid: u.remoteJid, fromMe: u.fromMe, participant: u.participant ?? null, status: u.status, instanceId: u.instanceId }));
    },
  });

  r.post('/chat/markMessageAsRead/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Send read receipts', params: instanceParams, body: markReadBody },
    handler: async (request, reply) => {
      await ctx.conversations.markRead(routeInstance(request), request.body.readMessages);
      return reply.code(201).send({ message: 'Read messages', read: 'success' });
    },
  });

  r.post('/chat/getBase64FromMediaMessage/:instanceName', {
    ...guard,
    schema: { tags, summary: 'The media of a stored message, as base64', params: instanceParams, body: getBase64Body },
    handler: async (request, reply) => {
      if (request.body.convertToMp4) ctx.messaging.require(routeInstance(request), 'voice');
      const media = await ctx.conversations.media(routeInstance(request), request.body.message.key.id);
      return reply.code(201).send(mediaBase64Response(media));
    },
  });

  chatActionRoutes(app, ctx);
}
