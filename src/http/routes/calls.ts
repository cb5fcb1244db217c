// `/call/offer` (compat §3.8). WhatsApp Web cannot place calls, so this answers a clear 400. Deliberate difference:
// Evolution answers a made-up success (`{id:"123", …}`) without calling anyone, which clients cannot tell apart from
// a real call.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../../domain/errors.js';
import { instanceParams } from '../../wire/common.js';
import { numberSchema } from '../../wire/messages/common.js';

const offerCallBody = z.object({
  number: numberSchema,
  isVideo: z.boolean().optional(),
  callDuration: z.number().int().min(1).max(15),
});

export const CALL_UNSUPPORTED = 'Placing calls is not supported: WhatsApp Web clients cannot start calls (Evolution only pretends to)';

/** The same 400 for every channel: none of them can place a call. */
export function callRoutes(app: FastifyInstance): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/call/offer/:instanceName', {
    config: { auth: 'instance' },
    schema: { tags: ['Call'], summary: 'Not supported: answers 400 (no channel can place calls)', params: instanceParams, body: offerCallBody },
    handler: async () => {
      throw badRequest(CALL_UNSUPPORTED);
    },
  });
}
