// `/template/create|find` (Cloud API templates) and `/s3/getMedia|getMediaUrl` (stored media, scoped to the instance).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { instanceParams } from '../../wire/common.js';
import { getMediaBody, mediaUrlBody, templateCreateBody } from '../../wire/templates-media.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

export function templateAndMediaRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/template/create/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Template'], summary: 'Create a message template (WhatsApp Cloud API)', params: instanceParams, body: templateCreateBody },
    handler: async (request, reply) => {
      const instance = routeInstance(request);
      const { webhookUrl, ...template } = request.body;
      const created = await ctx.messaging.templates(instance).create(template);
      const now = new Date().toISOString();
      return reply.code(201).send({ id: randomUUID(), templateId: created.id, name: template.name, template: { ...template, ...created }, webhookUrl: webhookUrl ?? null, createdAt: now, updatedAt: now, instanceId: instance.id });
    },
  });

  r.get('/template/find/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Template'], summary: 'The templates of the WhatsApp Business Account', params: instanceParams },
    handler: async (request) => ctx.messaging.templates(routeInstance(request)).list(),
  });

  r.post('/s3/getMedia/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['S3'], summary: 'Stored media of this instance’s messages', params: instanceParams, body: getMediaBody },
    handler: async (request) => {
      const instance = routeInstance(request);
      const keyId = request.body.messageId ?? request.body.id;
      if (keyId === undefined) return [];
      const media = await ctx.conversations.media(instance, keyId);
      if (request.body.type !== undefined && !media.mediaType.startsWith(request.body.type)) return [];
      return [{ id: keyId, messageId: media.message.id, type: media.mediaType.replace(/Message$/, ''), mimetype: media.mimetype, fileLength: media.data.length, instanceId: instance.id }];
    },
  });

  r.post('/s3/getMediaUrl/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['S3'], summary: 'A presigned, expiring URL of a message’s stored media (S3 only)', params: instanceParams, body: mediaUrlBody },
    handler: async (request, reply) => {
      const mediaUrl = await ctx.conversations.mediaUrl(routeInstance(request), request.body.id, request.body.expiry ?? 3600);
      return reply.code(201).send({ mediaUrl });
    },
  });
}
