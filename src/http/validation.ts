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

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const messages = [...new Set(result.error.issues.map((issue) => issueToMessage(issue, data)))];
    return { error: new RequestValidationError(messages) };
  };
