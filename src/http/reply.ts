// Reply helpers for values Fastify would otherwise not send as JSON (a bare `null`).
import type { FastifyReply } from 'fastify';

export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(value));
}
