// `/message/send*` (compat §3.5): one route per entry of the wire table; JSON, or multipart with the upload in `file`.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { OutboundMessage } from '../../domain/outbound.js';
import { instanceParams } from '../../wire/common.js';
import { SEND_ROUTES } from '../../wire/messages/index.js';
import { messageObject } from '../../wire/message-object.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The original file name of a multipart upload (`file` field). */
    uploadName?: string;
  }
}

/** A document uploaded without `fileName` is named after the uploaded file. */
function withUploadName(message: OutboundMessage, uploadName: string | undefined): OutboundMessage {
  if (uploadName === undefined || message.content.kind !== 'media' || message.content.fileName !== undefined) return message;
  return { ...message, content: { ...message.content, fileName: uploadName } };
}

export function messageRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const route of SEND_ROUTES) {
    r.post(`/message/${route.path}/:instanceName`, {
      config: { auth: 'instance' },
      schema: {
        tags: ['Message'],
        summary: `${route.path}${route.multipart ? ' (JSON, or multipart/form-data with the media in `file`)' : ''}`,
        params: instanceParams,
        body: route.schema,
      },
      handler: async (request, reply) => {
        const instance = routeInstance(request);
        const message = withUploadName(route.toMessage(request.body), request.uploadName);
        const sent = await ctx.messaging.send(instance, route.kind, message);
        return reply.code(201).send(messageObject(sent));
      },
    });
  }
}
