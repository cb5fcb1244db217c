// Reads the environment (process env over an optional .env file) once, validates it, and shapes it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { shapeEventsConfig, type EventsConfig } from './events-env.js';
import { shapeChatbotsConfig, type ChatbotsConfig } from './chatbots-env.js';
import { shapeBaileysConfig, type BaileysConfig } from './baileys-env.js';
import { envSchema, type Env, type LogLevel } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; url: string; schema: string | undefined; poolMax: number };

export interface Config {
  serverName: string;
  host: string;
  port: number;
  /** Public base URL used in events and generated links; falls back to http://localhost:PORT. */
  serverUrl: string;
  docsEnabled: boolean;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  dataDir: string;
  cors: { origins: string[]; methods: string[]; credentials: boolean };
  /** Undefined when not configured: a key is then generated into the data directory at start. */
  apiKey: string | undefined;
  exposeTokenInEvents: boolean;
  log: { level: LogLevel; pretty: boolean };
  /** Minutes after creation after which an instance that never reached `open` is deleted; false = never. */
  deleteInstanceAfterMinutes: number | false;
  qrcodeLimit: number;
  database: DatabaseConfig;
  clientName: string;
  /** Meta's webhook verify token (WA_BUSINESS_TOKEN_WEBHOOK); shown in the create response of BUSINESS instances. */
  metaVerifyToken: string;
  facebook: { appId: string | undefined; configId: string | undefined; userToken: string | undefined };
  events: EventsConfig;
  /** Chatbot integrations: env gates, OpenAI fallback key and base URL, provider call timeout. */
  chatbots: ChatbotsConfig;
  metrics: { enabled: boolean; user: string | undefined; password: string | undefined; allowedIps: string[] };
  media: MediaConfig;
  whatsappBusiness: { graphUrl: string; graphVersion: string; appSecret: string | undefined; sendRatePerSecond: number };
  /** The WHATSAPP-BAILEYS channel: linked-device name, Baileys' log level, send pacing, boot, watchdog, reconnects. */
  baileys: BaileysConfig;
}

export interface MediaConfig {
  /** PARLEY_MEDIA_MAX_MB: uploads, and media fetched from URLs (clients' links, received WhatsApp media). */
  maxBytes: number;
  /** PARLEY_MEDIA_FETCH_TIMEOUT_SECONDS: the longest a media URL fetch may take. */
  fetchTimeoutMs: number;
  store:
    | { kind: 'local'; rootDir: string }
    | { kind: 's3'; endpoint?: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };
}

/** Merge a `.env` file (if present) under the real environment; the real environment wins. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(raw: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.PARLEY_DATA_DIR);
  return {
    serverName: env.SERVER_NAME,
    host: env.SERVER_HOST,
    port: env.SERVER_PORT,
    serverUrl: env.SERVER_URL ?? `http://localhost:${env.SERVER_PORT}`,
    docsEnabled: !env.SERVER_DISABLE_DOCS,
    bodyLimitBytes: env.PARLEY_BODY_LIMIT_MB * 1024 * 1024,
    shutdownTimeoutMs: env.PARLEY_SHUTDOWN_TIMEOUT_MS,
    dataDir,
    cors: { origins: env.CORS_ORIGIN, methods: env.CORS_METHODS, credentials: env.CORS_CREDENTIALS },
    apiKey: env.AUTHENTICATION_API_KEY,
    exposeTokenInEvents: env.AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES,
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    deleteInstanceAfterMinutes: env.DEL_INSTANCE,
    qrcodeLimit: env.QRCODE_LIMIT,
    database: resolveDatabase(env, dataDir),
    clientName: env.DATABASE_CONNECTION_CLIENT_NAME,
    metaVerifyToken: env.WA_BUSINESS_TOKEN_WEBHOOK ?? '',
    facebook: { appId: env.FACEBOOK_APP_ID, configId: env.FACEBOOK_CONFIG_ID, userToken: env.FACEBOOK_USER_TOKEN },
    events: shapeEventsConfig(env),
    chatbots: shapeChatbotsConfig(env),
    baileys: shapeBaileysConfig(env),
    metrics: { enabled: env.PROMETHEUS_METRICS, user: env.METRICS_USER, password: env.METRICS_PASSWORD, allowedIps: env.METRICS_ALLOWED_IPS },
    media: resolveMedia(env, dataDir),
    whatsappBusiness: {
      graphUrl: env.WA_BUSINESS_URL ?? 'https://graph.facebook.com',
      graphVersion: env.WA_BUSINESS_VERSION,
      appSecret: env.WA_BUSINESS_APP_SECRET,
      sendRatePerSecond: env.WA_BUSINESS_SEND_RATE,
    },
  };
}

/** Media bytes: on disk under the data directory, or S3/MinIO when S3_ENABLED (Evolution's variables). */
function resolveMedia(env: Env, dataDir: string): MediaConfig {
  const maxBytes = env.PARLEY_MEDIA_MAX_MB * 1024 * 1024;
  const fetchTimeoutMs = env.PARLEY_MEDIA_FETCH_TIMEOUT_SECONDS * 1000;
  if (!env.S3_ENABLED) return { maxBytes, fetchTimeoutMs, store: { kind: 'local', rootDir: path.join(dataDir, 'media') } };
  const missing = (['S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET'] as const).filter((k) => !env[k]);
  if (missing.length > 0) throw new ConfigError(missing.map((k) => `${k}: required when S3_ENABLED=true`));
  let endpoint: string | undefined;
  if (env.S3_ENDPOINT !== undefined) {
    // Evolution gives a bare host plus S3_PORT and S3_USE_SSL; a full URL is accepted too.
    endpoint = /^https?:\/\//.test(env.S3_ENDPOINT) ? env.S3_ENDPOINT : `${env.S3_USE_SSL ? 'https' : 'http'}://${env.S3_ENDPOINT}:${env.S3_PORT}`;
  }
  return {
    maxBytes,
    fetchTimeoutMs,
    store: { kind: 's3', endpoint, region: env.S3_REGION, bucket: env.S3_BUCKET, accessKeyId: env.S3_ACCESS_KEY!, secretAccessKey: env.S3_SECRET_KEY!, forcePathStyle: endpoint !== undefined },
  };
}

const POSTGRES = /^postgres(ql)?:\/\//i;

/**
 * DATABASE_URL: `postgres://…` → PostgreSQL (a `?schema=` parameter, as Evolution/Prisma URLs carry, selects the
 * schema); a file path → that SQLite file; unset → `<data dir>/parley.sqlite`. Evolution's DATABASE_CONNECTION_URI
 * is honoured when DATABASE_URL is unset.
 */
function resolveDatabase(env: Env, dataDir: string): DatabaseConfig {
  const value = env.DATABASE_URL ?? env.DATABASE_CONNECTION_URI;
  const name = env.DATABASE_URL !== undefined ? 'DATABASE_URL' : 'DATABASE_CONNECTION_URI';
  if (value === undefined) return { dialect: 'sqlite', file: path.join(dataDir, 'parley.sqlite') };
  if (POSTGRES.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError([`${name}: not a valid postgres:// URL`]);
    }
    const schema = url.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new ConfigError([`${name}: schema "${schema}" must be letters, digits and _ (max 63)`]);
    }
    url.searchParams.delete('schema');
    return { dialect: 'postgres', url: url.toString(), schema, poolMax: env.DATABASE_POOL_MAX };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.toLowerCase().startsWith('file://')) {
    throw new ConfigError([`${name}: unsupported scheme in "${value.split('://')[0]}://…"; use postgres://… or a SQLite file path`]);
  }
  const file = value.toLowerCase().startsWith('file://') ? new URL(value).pathname : value;
  return { dialect: 'sqlite', file: path.resolve(file) };
}
