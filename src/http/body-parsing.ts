// JSON bodies: an empty body reads as no body (Express does the same, and Evolution clients send empty bodies with a
// JSON content type on body-less routes); prototype poisoning is refused.
import type { FastifyInstance } from 'fastify';

export function installBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
}
