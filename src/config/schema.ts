// One schema for every environment variable Parley reads. Evolution's names are used where they exist.
// Variables that only later features read are added together with those features.
import { z } from 'zod';
import { envBool, envInt, envList, envOptionalString, envString, envUrl } from './env-types.js';
import { eventsEnvSchema } from './events-env.js';
import { chatbotsEnvSchema } from './chatbots-env.js';
import { baileysEnvSchema } from './baileys-env.js';

const PINO_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type PinoLevel = (typeof PINO_LEVELS)[number];

/**
 * LOG_LEVEL takes a pino level (`info`) or Evolution's comma list (`ERROR,WARN,DEBUG,INFO,LOG,VERBOSE,...`);
 * for the list, the most verbose level named wins.
 */
const logLevel = z
  .string()
  .optional()
  .transform((value, ctx): PinoLevel => {
    if (value === undefined || value.trim() === '') return 'info';
    const v = value.trim().toLowerCase();
    if ((PINO_LEVELS as readonly string[]).includes(v)) return v as PinoLevel;
    const evolution: Record<string, PinoLevel> = {
      error: 'error', warn: 'warn', info: 'info', log: 'info', debug: 'debug', verbose: 'debug', dark: 'trace',
      webhooks: 'info', websocket: 'info',
    };
    const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = parts.filter((p) => !(p in evolution));
    if (parts.length === 0 || unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown level "${unknown.join(',') || value}"; use one of ${PINO_LEVELS.join(', ')} or Evolution's list (ERROR,WARN,INFO,LOG,DEBUG,VERBOSE,DARK,WEBHOOKS,WEBSOCKET)`,
      });
      return z.NEVER;
    }
    const order: PinoLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
    return order.find((l) => parts.some((p) => evolution[p] === l)) ?? 'info';
  });

/** DEL_INSTANCE: `false` (never) or minutes after creation to delete an instance that never reached `open`. */
const delInstance = z
  .string()
  .optional()
  .transform((value, ctx): number | false => {
    if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'false') return false;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected "false" or a number of minutes > 0, got "${value}"` });
      return z.NEVER;
    }
    return n;
  });

const baseEnvSchema = z.object({
  SERVER_NAME: envString('parley'),
  SERVER_HOST: envString('0.0.0.0'),
  SERVER_PORT: envInt(8080, 0, 65535),
  SERVER_URL: envUrl(),
  SERVER_DISABLE_DOCS: envBool(false),
  PARLEY_BODY_LIMIT_MB: envInt(64, 1, 1024),
  PARLEY_SHUTDOWN_TIMEOUT_MS: envInt(10_000, 0, 600_000),
  PARLEY_DATA_DIR: envString('./data'),

  CORS_ORIGIN: envList(['*']),
  CORS_METHODS: envList(['POST', 'GET', 'PUT', 'DELETE']),
  CORS_CREDENTIALS: envBool(false),

  AUTHENTICATION_API_KEY: envOptionalString(),
  AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES: envBool(false),

  LOG_LEVEL: logLevel,
  LOG_PRETTY: envBool(false),

  DEL_INSTANCE: delInstance,
  QRCODE_LIMIT: envInt(30, 1, 1000),

  DATABASE_URL: envOptionalString(),
  DATABASE_CONNECTION_URI: envOptionalString(),
  DATABASE_CONNECTION_CLIENT_NAME: envString('parley'),
  DATABASE_POOL_MAX: envInt(10, 1, 200),


  WA_BUSINESS_TOKEN_WEBHOOK: envOptionalString(),

  S3_ENABLED: envBool(false),
  S3_ACCESS_KEY: envOptionalString(),
  S3_SECRET_KEY: envOptionalString(),
  S3_ENDPOINT: envOptionalString(),
  S3_PORT: envInt(9000, 1, 65535),
  S3_USE_SSL: envBool(true),
  S3_REGION: envString('us-east-1'),
  S3_BUCKET: envString('parley'),
  PARLEY_MEDIA_MAX_MB: envInt(100, 1, 2048),
  PARLEY_MEDIA_FETCH_TIMEOUT_SECONDS: envInt(60, 1, 3600),
  WA_BUSINESS_URL: envUrl(),
  WA_BUSINESS_VERSION: envString('v25.0'),
  WA_BUSINESS_APP_SECRET: envOptionalString(),
  WA_BUSINESS_SEND_RATE: envInt(80, 1, 10_000),

  PROMETHEUS_METRICS: envBool(true),
  METRICS_USER: envOptionalString(),
  METRICS_PASSWORD: envOptionalString(),
  METRICS_ALLOWED_IPS: envList(['127.0.0.1', '::1', '::ffff:127.0.0.1']),

  FACEBOOK_APP_ID: envOptionalString(),
  FACEBOOK_CONFIG_ID: envOptionalString(),
  FACEBOOK_USER_TOKEN: envOptionalString(),
});

export const envSchema = baseEnvSchema.extend(eventsEnvSchema.shape).extend(chatbotsEnvSchema.shape).extend(baileysEnvSchema.shape);

export type Env = z.output<typeof envSchema>;
export type LogLevel = PinoLevel;
