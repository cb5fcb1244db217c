// Transport name → sink factory: one line per transport, each switched on by its *_ENABLED variable.
import type { EventsConfig } from '../config/events-env.js';
import type { SinkFactory } from '../ports/event-sink.js';
import { kafkaSink } from './sinks/kafka.js';
import { mqttSink } from './sinks/mqtt.js';
import { natsSink } from './sinks/nats.js';
import { pusherSink } from './sinks/pusher.js';
import { rabbitmqSink } from './sinks/rabbitmq.js';
import { sqsSink } from './sinks/sqs.js';
import { webhookSink } from './sinks/webhook.js';
import { websocketSink } from './sinks/websocket.js';

export function builtInSinks(events: EventsConfig, serverName: string): SinkFactory[] {
  const sinks: (SinkFactory | false)[] = [
    webhookSink,
    events.websocket.enabled && websocketSink(events.websocket),
    events.rabbitmq.enabled && rabbitmqSink(events.rabbitmq),
    events.nats.enabled && natsSink(events.nats),
    events.sqs.enabled && sqsSink({ ...events.sqs, serverName }),
    events.kafka.enabled && kafkaSink(events.kafka),
    events.mqtt.enabled && mqttSink(events.mqtt),
    events.pusher.enabled && pusherSink(events.pusher),
  ];
  return sinks.filter((s): s is SinkFactory => s !== false);
}
