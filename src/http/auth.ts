// The `apikey` guard. Unlike Evolution, authentication runs before instance existence is revealed, and every
// secret comparison is constant-time. Keys are never logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { instanceNotFound } from '../domain/errors.js';
import { isValidInstanceName, type Instance } from '../domain/instance.js';
import { secretsEqual } from '../lib/secrets.js';
import type { Store } from '../ports/store.js';
import { errorBody, unauthorizedBody } from '../wire/errors.js';

/**
 * - `none`: unguarded.
 * - `global`: the global key only.
 * - `instance`: the global key, or the token of the instance named by the `:instanceName` parameter.
 * - `any`: the global key, or any instance token (fetchInstances narrows what it returns).
 */
export type AuthMode = 'none' | 'global' | 'instance' | 'any';

export type Caller = { kind: 'global' } | { kind: 'instance'; token: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    /** Keep the raw JSON body on `request.rawBody` (signed provider webhooks). */
    keepRawBody?: boolean;
  }
  interface FastifyRequest {
    caller?: Caller;
    instance?: Instance;
  }
}

/** A token no instance can have, compared when the named instance does not exist, to keep timing uniform. */
const ABSENT_TOKEN = '\u0000absent';

export function installAuth(app: FastifyInstance, store: Store, globalKey: string): void {
  app.decorateRequest('caller', undefined);
  app.decorateRequest('instance', undefined);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const mode = request.routeOptions.config.auth ?? 'none';
    if (mode === 'none') return;
    const header = request.headers.apikey;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '') return reply.code(401).send(unauthorizedBody());
    const isGlobal = secretsEqual(key, globalKey);

    if (mode === 'global') {
      if (!isGlobal) return reply.code(401).send(unauthorizedBody());
      request.caller = { kind: 'global' };
      return;
    }
    if (mode === 'any') {
      request.caller = isGlobal ? { kind: 'global' } : { kind: 'instance', token: key };
      return;
    }

    const name = (request.params as { instanceName?: string }).instanceName ?? '';
    if (name === '') return reply.code(400).send(errorBody(400, ['"instanceName" not provided.']));
    // A name no instance can have is not looked up (nor can it reach the database with bytes it cannot store).
    const instance = isValidInstanceName(name) ? await store.instances.findByName(name) : undefined;
    if (isGlobal) {
      if (instance === undefined) throw instanceNotFound(name);
      request.caller = { kind: 'global' };
    } else {
      const ok = secretsEqual(key, instance?.token ?? ABSENT_TOKEN);
      if (!ok || instance === undefined) return reply.code(401).send(unauthorizedBody());
      request.caller = { kind: 'instance', token: key };
    }
    request.instance = instance;
  });
}

/** The instance resolved by the guard of an `instance` route. */
export function routeInstance(request: FastifyRequest): Instance {
  if (request.instance === undefined) throw new Error('routeInstance() used on a route without auth: "instance"');
  return request.instance;
}
