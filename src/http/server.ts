// The Fastify app: validation, errors, the apikey guard, CORS, OpenAPI and the route groups.
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Store } from '../ports/store.js';
import { installAuth } from './auth.js';
import type { HttpContext } from './context.js';
import { frameworkErrorHandler, installErrorHandlers } from './errors.js';
import { installGracefulClose } from './graceful-close.js';
import { ErrorReporter } from './error-reporter.js';
import type { OutboundPolicy } from '../lib/outbound-policy.js';
import { installBodyParsing } from './body-parsing.js';
import { installMultipart } from './multipart.js';
import { chatRoutes } from './routes/chats.js';
import { callRoutes } from './routes/calls.js';
import { groupRoutes } from './routes/groups.js';
import { labelRoutes } from './routes/labels.js';
import { profileRoutes } from './routes/profile.js';
import { messageRoutes } from './routes/messages.js';
import { templateAndMediaRoutes } from './routes/templates-media.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { providerWebhookRoutes } from './routes/provider-webhooks.js';
import { eventConfigRoutes } from './routes/event-config.js';
import { instanceRoutes } from './routes/instance.js';
import { metricsRoutes } from './routes/metrics.js';
import { proxyRoutes } from './routes/proxy.js';
import { rootRoutes } from './routes/root.js';
import { settingsRoutes } from './routes/settings.js';
import { chatbotRoutes } from './routes/chatbots.js';
import { chatbotSessionRoutes } from './routes/chatbot-sessions.js';
import { zodValidatorCompiler } from './validation.js';

export interface HttpServerOptions {
  ctx: HttpContext;
  store: Store;
  apiKey: string;
  logger: Logger;
  metricsRegistry: Registry;
  outbound: OutboundPolicy;
}

export async function buildHttpServer({ ctx, store, apiKey, logger, metricsRegistry, outbound }: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Per-request lines are logged at debug level by the hook below instead of Fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    // While closing, new requests get Evolution's 503 (below) rather than Fastify's own body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  const reporter = ctx.config.events.errorsWebhook === undefined ? undefined : new ErrorReporter(ctx.config.events.errorsWebhook, ctx.config.serverUrl, outbound, app.log);
  installErrorHandlers(app, reporter && ((status, message) => reporter.report(status, message)));
  if (reporter !== undefined) app.addHook('onClose', () => reporter.close());
  installGracefulClose(app);
  installBodyParsing(app);
  await app.register(formbody);
  await installMultipart(app, ctx.config.media.maxBytes);

  await app.register(cors, {
    origin: ctx.config.cors.origins.includes('*') ? true : ctx.config.cors.origins,
    methods: ctx.config.cors.methods,
    credentials: ctx.config.cors.credentials,
  });

  if (ctx.config.docsEnabled) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Parley API',
          version: ctx.version,
          description:
            'Multi-channel messaging gateway, wire-compatible with Evolution API v2. Send the global key or an ' +
            'instance token in the `apikey` header.',
        },
        components: { securitySchemes: { apikey: { type: 'apiKey', in: 'header', name: 'apikey' } } },
        security: [{ apikey: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  installAuth(app, store, apiKey);
  rootRoutes(app, ctx);
  instanceRoutes(app, ctx);
  settingsRoutes(app, ctx);
  proxyRoutes(app, ctx);
  eventConfigRoutes(app, ctx);
  deliveryRoutes(app, ctx);
  chatRoutes(app, ctx);
  profileRoutes(app, ctx);
  groupRoutes(app, ctx);
  labelRoutes(app, ctx);
  callRoutes(app);
  messageRoutes(app, ctx);
  templateAndMediaRoutes(app, ctx);
  providerWebhookRoutes(app, ctx);
  chatbotRoutes(app, ctx);
  chatbotSessionRoutes(app, ctx);
  metricsRoutes(app, ctx, metricsRegistry, apiKey);
  return app;
}
