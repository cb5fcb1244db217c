// JSON bodies: an empty body reads as no body (Express does the same, and Evolution clients send empty bodies with a
// JSON content type on body-less routes); prototype poisoning is refused.
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body exactly as received, for signature checks of provider webhooks. */
    rawBody?: string;
  }
}

export function installBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (request.routeOptions.config.keepRawBody === true) request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
}
