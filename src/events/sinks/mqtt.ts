// MQTT transport (a Parley addition; Evolution has none): one client per sink, QoS 1, so a delivery counts only
// once the broker's PUBACK arrived. MQTT 5 carries the event id as a user property; a broker that only speaks
// 3.1.1 gets the same topic and body without it. The client reconnects by itself; a delivery waits a bounded time.
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventName } from '../../domain/events.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';

/** Structurally identical to `EventsConfig['mqtt']`. */
export interface MqttSettings {
  enabled: boolean;
  uri: string;
  username: string | undefined;
  password: string | undefined;
  topicPrefix: string;
  globalEnabled: boolean;
  globalEvents: EventName[];
}

export interface MqttSinkOptions {
  /** Bound on every wait (connect, PUBACK). */
  timeoutMs?: number;
}

/** `<prefix>/<instanceName>/<event>` per instance, `<prefix>/global/<event>` for the global endpoint. */
export function mqttTopic(settings: Pick<MqttSettings, 'topicPrefix'>, endpoint: Endpoint, event: OutgoingEvent): string | null {
  const scope = endpoint.instanceId !== null ? event.instanceName : 'global';
  if (!scope) return null;
  const prefix = settings.topicPrefix.replace(/\/+$/, '');
  return `${prefix ? `${prefix}/` : ''}${scope}/${event.wireName}`;
}

/** A topic name may not hold wildcards or NUL, and is at most 65535 bytes (MQTT 5 §4.7). */
function topicProblem(topic: string): string | null {
  if (/[+#\u0000]/.test(topic)) return `MQTT topic "${topic}" contains a wildcard or NUL character`;
  if (Buffer.byteLength(topic) > 65_535) return 'MQTT topic is longer than 65535 bytes';
  return null;
}

/** The largest packet MQTT can carry at all (the remaining-length field's limit). */
const MQTT_MAX_PACKET = 268_435_455;
/** PUBACK reasons no retry will change: packet too large, topic name invalid, payload format invalid. */
const PERMANENT_REASONS = new Set([0x95, 0x90, 0x99]);
/** CONNACK refusals meaning "speak an older protocol": 3.1.1's return code 1, MQTT 5's 0x84. */
const OLD_PROTOCOL = new Set([1, 0x84]);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

class MqttSink implements EventSink {
  readonly transport = 'mqtt' as const;
  private client: MqttClient | null = null;
  /** 5 until a broker refuses it; then 3.1.1 (protocol level 4) for the rest of the sink's life. */
  private version: 4 | 5 = 5;
  private lastError: string | null = null;
  private closed = false;

  constructor(
    private readonly settings: MqttSettings,
    private readonly ctx: SinkContext,
    private readonly timeoutMs: number,
  ) {}

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    if (this.closed) return { ok: false, retryable: true, error: 'MQTT sink is closed' };
    const topic = mqttTopic(this.settings, endpoint, event);
    if (!topic) return { ok: false, retryable: false, error: 'per-instance event without an instance name' };
    const problem = topicProblem(topic);
    if (problem) return { ok: false, retryable: false, error: problem };
    const deadline = Date.now() + this.timeoutMs;
    let client: MqttClient;
    try {
      client = await this.ready(deadline);
    } catch (error) {
      return { ok: false, retryable: true, error: messageOf(error) };
    }
    // Publish overhead: fixed header ≤ 5, topic length + 2, packet id 2, properties (event id, content type) < 100.
    const size = Buffer.byteLength(event.body) + Buffer.byteLength(topic) + 110;
    const limit = Math.min(client.serverProperties?.maximumPacketSize ?? MQTT_MAX_PACKET, MQTT_MAX_PACKET);
    if (size > limit) return { ok: false, retryable: false, error: `event of ${size} bytes exceeds the broker's maximum packet size ${limit}` };
    return this.publish(client, topic, event, deadline);
  }

  private open(): MqttClient {
    const options: IClientOptions = {
      protocolVersion: this.version,
      clientId: `parley-${randomBytes(6).toString('hex')}`,
      clean: true,
      keepalive: 30,
      connectTimeout: this.timeoutMs,
      reconnectPeriod: 1000,
      resubscribe: false,
    };
    // Only when set: an explicit undefined would hide credentials given in the URI.
    if (this.settings.username !== undefined) options.username = this.settings.username;
    if (this.settings.password !== undefined) options.password = this.settings.password;
    const client = connect(this.settings.uri, options);
    // Every waiting delivery listens for the next connect/close; there can be as many as the dispatcher runs.
    client.setMaxListeners(0);
    client.on('connect', () => {
      this.lastError = null;
    });
    client.on('error', (error: Error & { code?: unknown }) => {
      this.lastError = messageOf(error);
      if (client.connected || typeof error.code !== 'number') return;
      // A refused CONNACK stops mqtt.js from reconnecting: drop the client, the next delivery opens a new one.
      if (this.version === 5 && OLD_PROTOCOL.has(error.code)) this.version = 4;
      else this.ctx.logger.warn({ err: error }, 'mqtt broker refused the connection');
      if (this.client === client) this.client = null;
      client.end(true);
    });
    this.client = client;
    return client;
  }

  /** The connected client, or why there is none: waits for the current connection attempt, never past the deadline. */
  private async ready(deadline: number): Promise<MqttClient> {
    for (;;) {
      const client = this.client ?? this.open();
      if (client.connected) return client;
      const woke = await new Promise<'connect' | 'failed' | 'timeout'>((resolve) => {
        const finish = (how: 'connect' | 'failed' | 'timeout') => {
          clearTimeout(timer);
          client.off('connect', onConnect);
          client.off('close', onFailed);
          client.off('end', onFailed);
          resolve(how);
        };
        const onConnect = () => finish('connect');
        const onFailed = () => finish('failed');
        const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
        client.on('connect', onConnect);
        client.on('close', onFailed);
        client.on('end', onFailed);
      });
      if (woke === 'connect' && client.connected) return client;
      // The broker asked for MQTT 3.1.1: try again at once with the new protocol level.
      if (this.client !== client && client.options.protocolVersion !== this.version && !this.closed && Date.now() < deadline) continue;
      const why = this.lastError ?? 'the connection closed';
      throw new Error(woke === 'timeout' ? `not connected to the MQTT broker in time (${why})` : `MQTT connection failed: ${why}`);
    }
  }

  private publish(client: MqttClient, topic: string, event: OutgoingEvent, deadline: number): Promise<DeliveryOutcome> {
    return new Promise((resolve) => {
      const acked = (error?: Error & { code?: unknown }) => {
        clearTimeout(timer);
        if (!error) return resolve({ ok: true });
        const permanent = typeof error.code === 'number' && PERMANENT_REASONS.has(error.code);
        resolve({ ok: false, retryable: !permanent, error: messageOf(error) });
      };
      const timer = setTimeout(() => {
        // Withdraw the message so mqtt.js does not resend it on its own later; the dispatcher retries instead.
        const entry = Object.entries(client.outgoing).find(([, pending]) => pending.cb === acked);
        if (entry) client.removeOutgoingMessage(Number(entry[0]));
        resolve({ ok: false, retryable: true, error: `no PUBACK from the MQTT broker in time${this.lastError ? ` (${this.lastError})` : ''}` });
      }, Math.max(0, deadline - Date.now()));
      client.publish(topic, event.body, {
        qos: 1,
        retain: false,
        properties: { contentType: 'application/json', userProperties: { 'event-id': event.id } },
      }, acked);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (!client) return;
    // A graceful end waits for in-flight PUBACKs, which never come from a broker that is gone.
    const force = !client.connected || Object.keys(client.outgoing).length > 0;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        client.stream?.destroy();
        resolve();
      }, 5000);
      client.end(force, {}, () => resolve());
    });
    clearTimeout(timer);
  }
}

export function mqttSink(settings: MqttSettings, options: MqttSinkOptions = {}): SinkFactory {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return { transport: 'mqtt', create: (ctx) => new MqttSink(settings, ctx, timeoutMs) };
}
