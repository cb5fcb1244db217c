// Every error leaves as Evolution's body; a client mistake is never a 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { errorBody } from '../wire/errors.js';
import { RequestValidationError } from './validation.js';

const STATUS_OF: Record<DomainErrorKind, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

/** Receives every error body the API answers (the WEBHOOK_EVENTS_ERRORS side channel). */
export type ErrorListener = (status: number, message: unknown) => void;

export function installErrorHandlers(app: FastifyInstance, onError?: ErrorListener): void {
  if (onError !== undefined) {
    app.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode >= 400 && typeof payload === 'string' && payload.startsWith('{"status"')) {
        try {
          onError(reply.statusCode, (JSON.parse(payload) as { response?: { message?: unknown } }).response?.message);
        } catch {
          // Not an error body after all.
        }
      }
      return payload;
    });
  }
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof RequestValidationError) {
      return reply.code(400).send(errorBody(400, error.messages));
    }
    if (error instanceof DomainError) {
      const status = STATUS_OF[error.kind];
      return reply.code(status).send(errorBody(status, status === 401 ? 'Unauthorized' : error.messages));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors: malformed or empty JSON, body too large, unsupported content type …
      return reply.code(status).send(errorBody(status, [clientErrorText(error as FastifyError, request)]));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(500, ['Internal Server Error']));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    reply.code(404).send(errorBody(404, [`Cannot ${request.method} ${path}`]));
  });
}

/** Errors Fastify raises before routing (an undecodable URL …) get the same body. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  reply.code(status).send(errorBody(status, [error.code === 'FST_ERR_BAD_URL' ? 'The request URL is malformed' : error.message]));
}

function clientErrorText(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return "Body cannot be empty when content-type is set to 'application/json'";
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported content type "${String(request.headers['content-type'] ?? '')}": send application/json`;
    default:
      return error.message;
  }
}
