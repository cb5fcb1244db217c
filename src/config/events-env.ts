// Environment variables of the event pipeline and its transports (Evolution's names, plus Parley's additions).
import { z } from 'zod';
import { EVENT_NAMES, type EventName } from '../domain/events.js';
import { envBool, envInt, envList, envOptionalString, envString, envUrl } from './env-types.js';

/** Evolution reads `*_GROUPS_UPDATE` for GROUP_UPDATE. */
const envSuffix = (name: EventName) => (name === 'GROUP_UPDATE' ? 'GROUPS_UPDATE' : name);

/** `<PREFIX>_<EVENT>` switches, e.g. WEBHOOK_EVENTS_MESSAGES_UPSERT=true. */
function eventSwitches(prefix: string) {
  return Object.fromEntries(EVENT_NAMES.map((name) => [`${prefix}_${envSuffix(name)}`, envBool(false)])) as Record<string, ReturnType<typeof envBool>>;
}

export function enabledEvents(env: Record<string, unknown>, prefix: string): EventName[] {
  return EVENT_NAMES.filter((name) => env[`${prefix}_${envSuffix(name)}`] === true);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0,5s,5m,30m,2h` → delays in ms. Bare numbers are seconds. */
export const retrySchedule = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const text = value === undefined || value.trim() === '' ? '0,5s,5m,30m,2h,5h,10h,14h,20h,24h' : value;
    const delays: number[] = [];
    for (const part of text.split(',').map((p) => p.trim())) {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not a delay; use e.g. 0,5s,5m,2h,1d` });
        return z.NEVER;
      }
      delays.push(Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!));
    }
    return delays;
  });

const statusList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const text = value === undefined || value.trim() === '' ? '400,401,403,404,422' : value;
    const codes = text.split(',').map((s) => Number(s.trim()));
    if (codes.some((c) => !Number.isInteger(c) || c < 100 || c > 599)) {
      ctx.addIssue({ code: 'custom', message: `expected a comma list of HTTP status codes, got "${text}"` });
      return z.NEVER;
    }
    return codes;
  });

export const eventsEnvSchema = z.object({
  PARLEY_DISPATCH: envBool(true),
  PARLEY_BLOCK_PRIVATE_TARGETS: envBool(false),
  PARLEY_RETRY_SCHEDULE: retrySchedule,
  PARLEY_RETRY_PROBE_SECONDS: envInt(30, 1, 86_400),
  PARLEY_EVENT_RETENTION_HOURS: envInt(72, 1, 24 * 365),
  PARLEY_DEAD_LETTER_RETENTION_DAYS: envInt(30, 1, 3650),
  PARLEY_DELIVERY_CONCURRENCY: envInt(32, 1, 1024),
  WEBHOOK_REQUEST_TIMEOUT_MS: envInt(30_000, 100, 600_000),
  WEBHOOK_RETRY_JITTER_FACTOR: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const n = v === undefined || v === '' ? 0.2 : Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `expected a number from 0 to 1, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
  WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES: statusList,

  WEBHOOK_GLOBAL_ENABLED: envBool(false),
  WEBHOOK_GLOBAL_URL: envUrl(),
  WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS: envBool(false),
  WEBHOOK_GLOBAL_SECRET: envOptionalString(),
  ...eventSwitches('WEBHOOK_EVENTS'),
  WEBHOOK_EVENTS_ERRORS: envBool(false),
  WEBHOOK_EVENTS_ERRORS_WEBHOOK: envUrl(),

  WEBSOCKET_ENABLED: envBool(false),
  WEBSOCKET_GLOBAL_EVENTS: envBool(false),
  WEBSOCKET_ALLOWED_HOSTS: envList([]),

  RABBITMQ_ENABLED: envBool(false),
  RABBITMQ_URI: envString('amqp://guest:guest@127.0.0.1:5672'),
  RABBITMQ_EXCHANGE_NAME: envString('evolution_exchange'),
  RABBITMQ_GLOBAL_ENABLED: envBool(false),
  RABBITMQ_PREFIX_KEY: envOptionalString(),
  RABBITMQ_FRAME_MAX: envInt(8192, 4096, 1_048_576),
  ...eventSwitches('RABBITMQ_EVENTS'),

  NATS_ENABLED: envBool(false),
  NATS_URI: envString('nats://127.0.0.1:4222'),
  NATS_GLOBAL_ENABLED: envBool(false),
  NATS_PREFIX_KEY: envOptionalString(),
  ...eventSwitches('NATS_EVENTS'),

  SQS_ENABLED: envBool(false),
  SQS_ACCESS_KEY_ID: envOptionalString(),
  SQS_SECRET_ACCESS_KEY: envOptionalString(),
  SQS_ACCOUNT_ID: envOptionalString(),
  SQS_REGION: envString('us-east-1'),
  SQS_ENDPOINT: envUrl(),
  SQS_MAX_PAYLOAD_SIZE: envInt(1_048_576, 1024, 1_048_576),
  SQS_GLOBAL_ENABLED: envBool(false),
  SQS_GLOBAL_FORCE_SINGLE_QUEUE: envBool(false),
  SQS_GLOBAL_PREFIX_NAME: envString('global'),
  ...eventSwitches('SQS_GLOBAL'),

  KAFKA_ENABLED: envBool(false),
  KAFKA_CLIENT_ID: envString('parley'),
  KAFKA_BROKERS: envList(['localhost:9092']),
  KAFKA_CONNECTION_TIMEOUT: envInt(3000, 100, 600_000),
  KAFKA_REQUEST_TIMEOUT: envInt(30_000, 100, 600_000),
  KAFKA_GLOBAL_ENABLED: envBool(false),
  KAFKA_TOPIC_PREFIX: envString('evolution'),
  KAFKA_NUM_PARTITIONS: envInt(1, 1, 10_000),
  KAFKA_REPLICATION_FACTOR: envInt(1, 1, 100),
  KAFKA_AUTO_CREATE_TOPICS: envBool(false),
  KAFKA_SASL_ENABLED: envBool(false),
  KAFKA_SASL_MECHANISM: envString('plain'),
  KAFKA_SASL_USERNAME: envOptionalString(),
  KAFKA_SASL_PASSWORD: envOptionalString(),
  KAFKA_SSL_ENABLED: envBool(false),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envBool(true),
  ...eventSwitches('KAFKA_EVENTS'),

  MQTT_ENABLED: envBool(false),
  MQTT_URI: envString('mqtt://127.0.0.1:1883'),
  MQTT_USERNAME: envOptionalString(),
  MQTT_PASSWORD: envOptionalString(),
  MQTT_TOPIC_PREFIX: envString('parley'),
  MQTT_GLOBAL_ENABLED: envBool(false),
  ...eventSwitches('MQTT_EVENTS'),

  PUSHER_ENABLED: envBool(false),
  PUSHER_HOST: envOptionalString(),
  PUSHER_GLOBAL_ENABLED: envBool(false),
  PUSHER_GLOBAL_APP_ID: envOptionalString(),
  PUSHER_GLOBAL_KEY: envOptionalString(),
  PUSHER_GLOBAL_SECRET: envOptionalString(),
  PUSHER_GLOBAL_CLUSTER: envOptionalString(),
  PUSHER_GLOBAL_USE_TLS: envBool(true),
  ...eventSwitches('PUSHER_EVENTS'),
});

export type EventsEnv = z.output<typeof eventsEnvSchema>;

export interface EventsConfig {
  dispatch: boolean;
  blockPrivateTargets: boolean;
  retryScheduleMs: number[];
  jitterRatio: number;
  probeIntervalMs: number;
  retainDeliveredMs: number;
  retainDeadMs: number;
  deliveryConcurrency: number;
  requestTimeoutMs: number;
  nonRetryableStatuses: number[];
  errorsWebhook: string | undefined;
  webhook: { globalEnabled: boolean; globalUrl: string | undefined; globalByEvents: boolean; globalSecret: string | undefined; globalEvents: EventName[] };
  websocket: { enabled: boolean; globalEvents: boolean; allowedHosts: string[] };
  rabbitmq: { enabled: boolean; uri: string; exchangeName: string; globalEnabled: boolean; prefixKey: string | undefined; frameMax: number; globalEvents: EventName[] };
  nats: { enabled: boolean; uri: string; globalEnabled: boolean; prefixKey: string | undefined; globalEvents: EventName[] };
  sqs: {
    enabled: boolean; accessKeyId: string | undefined; secretAccessKey: string | undefined; accountId: string | undefined;
    region: string; endpoint: string | undefined; maxPayloadSize: number; globalEnabled: boolean; forceSingleQueue: boolean;
    globalPrefixName: string; globalEvents: EventName[];
  };
  kafka: {
    enabled: boolean; clientId: string; brokers: string[]; connectionTimeout: number; requestTimeout: number; globalEnabled: boolean;
    topicPrefix: string; numPartitions: number; replicationFactor: number; autoCreateTopics: boolean;
    sasl: { enabled: boolean; mechanism: string; username: string | undefined; password: string | undefined };
    ssl: { enabled: boolean; rejectUnauthorized: boolean };
    globalEvents: EventName[];
  };
  mqtt: { enabled: boolean; uri: string; username: string | undefined; password: string | undefined; topicPrefix: string; globalEnabled: boolean; globalEvents: EventName[] };
  pusher: {
    enabled: boolean; host: string | undefined; globalEnabled: boolean; globalAppId: string | undefined; globalKey: string | undefined;
    globalSecret: string | undefined; globalCluster: string | undefined; globalUseTls: boolean; globalEvents: EventName[];
  };
}

export function shapeEventsConfig(e: EventsEnv): EventsConfig {
  const raw = e as unknown as Record<string, unknown>;
  return {
    dispatch: e.PARLEY_DISPATCH,
    blockPrivateTargets: e.PARLEY_BLOCK_PRIVATE_TARGETS,
    retryScheduleMs: e.PARLEY_RETRY_SCHEDULE,
    jitterRatio: e.WEBHOOK_RETRY_JITTER_FACTOR,
    probeIntervalMs: e.PARLEY_RETRY_PROBE_SECONDS * 1000,
    retainDeliveredMs: e.PARLEY_EVENT_RETENTION_HOURS * 3_600_000,
    retainDeadMs: e.PARLEY_DEAD_LETTER_RETENTION_DAYS * 86_400_000,
    deliveryConcurrency: e.PARLEY_DELIVERY_CONCURRENCY,
    requestTimeoutMs: e.WEBHOOK_REQUEST_TIMEOUT_MS,
    nonRetryableStatuses: e.WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES,
    errorsWebhook: e.WEBHOOK_EVENTS_ERRORS ? e.WEBHOOK_EVENTS_ERRORS_WEBHOOK : undefined,
    webhook: {
      globalEnabled: e.WEBHOOK_GLOBAL_ENABLED,
      globalUrl: e.WEBHOOK_GLOBAL_URL,
      globalByEvents: e.WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS,
      globalSecret: e.WEBHOOK_GLOBAL_SECRET,
      globalEvents: enabledEvents(raw, 'WEBHOOK_EVENTS'),
    },
    websocket: { enabled: e.WEBSOCKET_ENABLED, globalEvents: e.WEBSOCKET_GLOBAL_EVENTS, allowedHosts: e.WEBSOCKET_ALLOWED_HOSTS },
    rabbitmq: {
      enabled: e.RABBITMQ_ENABLED, uri: e.RABBITMQ_URI, exchangeName: e.RABBITMQ_EXCHANGE_NAME, globalEnabled: e.RABBITMQ_GLOBAL_ENABLED,
      prefixKey: e.RABBITMQ_PREFIX_KEY, frameMax: e.RABBITMQ_FRAME_MAX, globalEvents: enabledEvents(raw, 'RABBITMQ_EVENTS'),
    },
    nats: { enabled: e.NATS_ENABLED, uri: e.NATS_URI, globalEnabled: e.NATS_GLOBAL_ENABLED, prefixKey: e.NATS_PREFIX_KEY, globalEvents: enabledEvents(raw, 'NATS_EVENTS') },
    sqs: {
      enabled: e.SQS_ENABLED, accessKeyId: e.SQS_ACCESS_KEY_ID, secretAccessKey: e.SQS_SECRET_ACCESS_KEY, accountId: e.SQS_ACCOUNT_ID,
      region: e.SQS_REGION, endpoint: e.SQS_ENDPOINT, maxPayloadSize: e.SQS_MAX_PAYLOAD_SIZE, globalEnabled: e.SQS_GLOBAL_ENABLED,
      forceSingleQueue: e.SQS_GLOBAL_FORCE_SINGLE_QUEUE, globalPrefixName: e.SQS_GLOBAL_PREFIX_NAME, globalEvents: enabledEvents(raw, 'SQS_GLOBAL'),
    },
    kafka: {
      enabled: e.KAFKA_ENABLED, clientId: e.KAFKA_CLIENT_ID, brokers: e.KAFKA_BROKERS, connectionTimeout: e.KAFKA_CONNECTION_TIMEOUT,
      requestTimeout: e.KAFKA_REQUEST_TIMEOUT, globalEnabled: e.KAFKA_GLOBAL_ENABLED, topicPrefix: e.KAFKA_TOPIC_PREFIX,
      numPartitions: e.KAFKA_NUM_PARTITIONS, replicationFactor: e.KAFKA_REPLICATION_FACTOR, autoCreateTopics: e.KAFKA_AUTO_CREATE_TOPICS,
      sasl: { enabled: e.KAFKA_SASL_ENABLED, mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD },
      ssl: { enabled: e.KAFKA_SSL_ENABLED, rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED },
      globalEvents: enabledEvents(raw, 'KAFKA_EVENTS'),
    },
    mqtt: {
      enabled: e.MQTT_ENABLED, uri: e.MQTT_URI, username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD, topicPrefix: e.MQTT_TOPIC_PREFIX,
      globalEnabled: e.MQTT_GLOBAL_ENABLED, globalEvents: enabledEvents(raw, 'MQTT_EVENTS'),
    },
    pusher: {
      enabled: e.PUSHER_ENABLED, host: e.PUSHER_HOST, globalEnabled: e.PUSHER_GLOBAL_ENABLED, globalAppId: e.PUSHER_GLOBAL_APP_ID,
      globalKey: e.PUSHER_GLOBAL_KEY, globalSecret: e.PUSHER_GLOBAL_SECRET, globalCluster: e.PUSHER_GLOBAL_CLUSTER,
      globalUseTls: e.PUSHER_GLOBAL_USE_TLS, globalEvents: enabledEvents(raw, 'PUSHER_EVENTS'),
    },
  };
}
