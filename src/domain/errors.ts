// Typed domain errors. Only the HTTP layer turns them into Evolution's error body.

export type DomainErrorKind = 'bad-request' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** One or more client-facing messages; Evolution clients read them from `response.message`. */
    readonly messages: unknown[],
  ) {
    super(messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('; '));
    this.name = 'DomainError';
  }
}

export const badRequest = (...messages: unknown[]) => new DomainError('bad-request', messages);
export const notFound = (...messages: unknown[]) => new DomainError('not-found', messages);
export const forbidden = (...messages: unknown[]) => new DomainError('forbidden', messages);
export const conflict = (...messages: unknown[]) => new DomainError('conflict', messages);
export const unauthorized = () => new DomainError('unauthorized', ['Unauthorized']);

export const instanceNotFound = (name: string) => notFound(`The "${name}" instance does not exist`);
export const instanceNotConnected = (name: string) => badRequest(`The "${name}" instance is not connected`);
export const nameInUse = (name: string) => forbidden(`This name "${name}" is already in use.`);
export const integrationUnavailable = (integration: string) =>
  badRequest(`The "${integration}" integration is not available on this server yet: no channel for it is installed`);
