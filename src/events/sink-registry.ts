// Transport name → sink factory: one line per transport, each switched on by its *_ENABLED variable. Transports are
// imported only when enabled, so their client libraries (AWS SDK, kafkajs, socket.io …) cost no memory otherwise.
import type { EventsConfig } from '../config/events-env.js';
import type { SinkFactory } from '../ports/event-sink.js';
import { webhookSink } from './sinks/webhook.js';

export async function builtInSinks(events: EventsConfig, serverName: string): Promise<SinkFactory[]> {
  const sinks: SinkFactory[] = [webhookSink];
  if (events.websocket.enabled) sinks.push((await import('./sinks/websocket.js')).websocketSink(events.websocket));
  if (events.rabbitmq.enabled) sinks.push((await import('./sinks/rabbitmq.js')).rabbitmqSink(events.rabbitmq));
  if (events.nats.enabled) sinks.push((await import('./sinks/nats.js')).natsSink(events.nats));
  if (events.sqs.enabled) sinks.push((await import('./sinks/sqs.js')).sqsSink({ ...events.sqs, serverName }));
  if (events.kafka.enabled) sinks.push((await import('./sinks/kafka.js')).kafkaSink(events.kafka));
  if (events.mqtt.enabled) sinks.push((await import('./sinks/mqtt.js')).mqttSink(events.mqtt));
  if (events.pusher.enabled) sinks.push((await import('./sinks/pusher.js')).pusherSink(events.pusher));
  return sinks;
}
