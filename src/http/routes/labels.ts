// `/label/*` (compat §3.8): the stored labels, and tagging a chat (WhatsApp Business accounts on WhatsApp Web).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { instanceParams } from '../../wire/common.js';
import { normalizeNumber } from '../../wire/jid.js';
import { handleLabelBody, handleLabelResponse, labelResponse } from '../../wire/labels.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const tags = ['Label'];

export function labelRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { config: { auth: 'instance' as const } };

  r.get('/label/findLabels/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Labels of the account (as WhatsApp reported them)', params: instanceParams },
    handler: async (request) => (await ctx.labels.find(routeInstance(request))).map(labelResponse),
  });

  r.post('/label/handleLabel/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Add a label to a chat or remove it', params: instanceParams, body: handleLabelBody },
    handler: async (request) => {
      const b = request.body;
      const jid = normalizeNumber(b.number);
      await ctx.labels.handle(routeInstance(request), jid, b.labelId, b.action);
      return handleLabelResponse(jid, b.labelId, b.action);
    },
  });
}
