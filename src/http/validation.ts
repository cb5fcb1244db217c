// Request validation with zod, answering Evolution-style messages that name each offending field.
import type { FastifySchemaCompiler } from 'fastify';
import type { ZodType } from 'zod';
import { issueToMessage } from '../wire/validation.js';

export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'PARLEY_VALIDATION';
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
    this.name = 'RequestValidationError';
  }
}

/** Paths of strings holding a NUL character, which PostgreSQL cannot store and no client means to send. */
function nulPaths(value: unknown, path: string, found: string[]): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, `${path}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nulPaths(v, path === '' ? k : `${path}.${k}`, found);
  }
  return found;
}

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const withNul = httpPart === 'body' ? nulPaths(data, '', []) : [];
    if (withNul.length > 0) {
      return { error: new RequestValidationError(withNul.map((p) => `${p || 'value'} must not contain NUL (\\u0000) characters`)) };
    }
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const messages = [...new Set(result.error.issues.map((issue) => issueToMessage(issue, data)))];
    return { error: new RequestValidationError(messages) };
  };
