// `GET /metrics` for Prometheus. Open to METRICS_ALLOWED_IPS (loopback by default), to Basic auth with
// METRICS_USER/METRICS_PASSWORD, or to the global apikey — instance names are labels, so it is never public.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { secretsEqual } from '../../lib/secrets.js';
import type { HttpContext } from '../context.js';

function allowed(request: FastifyRequest, ctx: HttpContext, apiKey: string): boolean {
  const m = ctx.config.metrics;
  if (m.allowedIps.includes(request.ip)) return true;
  const key = request.headers.apikey;
  if (typeof key === 'string' && secretsEqual(key, apiKey)) return true;
  const auth = request.headers.authorization;
  if (m.user !== undefined && m.password !== undefined && auth?.startsWith('Basic ')) {
    const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return secretsEqual(user ?? '', m.user) && secretsEqual(rest.join(':'), m.password);
  }
  return false;
}

export function metricsRoutes(app: FastifyInstance, ctx: HttpContext, registry: Registry, apiKey: string): void {
  if (!ctx.config.metrics.enabled) return;
  app.get('/metrics', { schema: { tags: ['Operations'], summary: 'Prometheus metrics', hide: false } }, async (request, reply) => {
    if (!allowed(request, ctx, apiKey)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="metrics"').type('text/plain').send('Unauthorized');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
