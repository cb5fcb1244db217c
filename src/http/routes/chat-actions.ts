// `/chat/*` actions that need a WhatsApp Web channel (compat §3.6): existence checks, archive/unread, revoke, edit,
// presence, block. Other channels answer their "not available" 400 (core checks the capability).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { badRequest } from '../../domain/errors.js';
import {
  archiveChatBody, CHAT_ACTION_ERRORS, chatTarget, deleteForEveryoneBody, markChatUnreadBody, messageKey, numberQuery,
  providerMessageResponse, sendPresenceBody, updateBlockStatusBody, updateMessageBody, whatsappNumbersBody,
} from '../../wire/chat-actions.js';
import { instanceParams } from '../../wire/common.js';
import { normalizeNumber } from '../../wire/jid.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const tags = ['Chat'];

export function chatActionRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { config: { auth: 'instance' as const } };

  r.post('/chat/whatsappNumbers/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Whether numbers are on WhatsApp (cached and throttled)', params: instanceParams, body: whatsappNumbersBody },
    // Evolution answers this route's failures with a bare `{status, error, message}`; Parley keeps its one error body
    // (clients read `response.message`), a deliberate difference.
    handler: async (request) => ctx.chatActions.whatsappNumbers(routeInstance(request), request.body.numbers.map(numberQuery)),
  });

  r.post('/chat/archiveChat/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Archive or unarchive a chat', params: instanceParams, body: archiveChatBody },
    handler: async (request, reply) => {
      const target = chatTarget(request.body);
      if (target === undefined) throw badRequest(CHAT_ACTION_ERRORS.chatMissing);
      await ctx.chatActions.archive(routeInstance(request), target.jid, request.body.archive, target.lastMessage);
      return reply.code(201).send({ chatId: target.jid, archived: true });
    },
  });

  r.post('/chat/markChatUnread/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Mark a chat unread', params: instanceParams, body: markChatUnreadBody },
    handler: async (request, reply) => {
      const target = chatTarget(request.body);
      if (target === undefined) throw badRequest(CHAT_ACTION_ERRORS.chatMissing);
      await ctx.chatActions.markUnread(routeInstance(request), target.jid, target.lastMessage);
      return reply.code(201).send({ chatId: target.jid, markedChatUnread: true });
    },
  });

  r.delete('/chat/deleteMessageForEveryone/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Revoke a message for everyone', params: instanceParams, body: deleteForEveryoneBody },
    handler: async (request, reply) => {
      const revoked = await ctx.chatActions.deleteForEveryone(routeInstance(request), messageKey(request.body));
      return reply.code(201).send(providerMessageResponse(revoked));
    },
  });

  r.post('/chat/updateMessage/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Edit the text or caption of a sent message', params: instanceParams, body: updateMessageBody },
    handler: async (request) => {
      const b = request.body;
      const key = messageKey(b.key);
      const target = b.number === undefined ? key : { ...key, remoteJid: normalizeNumber(b.number) };
      return providerMessageResponse(await ctx.chatActions.edit(routeInstance(request), target, b.text));
    },
  });

  r.post('/chat/sendPresence/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Show a presence in a chat for `delay` ms (answers after the delay)', params: instanceParams, body: sendPresenceBody },
    handler: async (request, reply) => {
      const b = request.body;
      await ctx.chatActions.presence(routeInstance(request), normalizeNumber(b.number), b.presence, b.delay);
      return reply.code(201).send({ presence: b.presence });
    },
  });

  r.post('/chat/updateBlockStatus/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Block or unblock a contact', params: instanceParams, body: updateBlockStatusBody },
    handler: async (request, reply) => {
      const b = request.body;
      await ctx.chatActions.block(routeInstance(request), normalizeNumber(b.number), b.status === 'block');
      return reply.code(201).send({ block: 'success' });
    },
  });
}
