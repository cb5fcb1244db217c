// A single-node Kafka broker speaking the real binary protocol over TCP on 127.0.0.1, just enough for an
// idempotent kafkajs producer and admin: ApiVersions v0-2, Metadata v1, InitProducerId v0, Produce v3 (record
// batches, magic 2) and CreateTopics v0. It stores what it receives, so tests read records back exactly.
// Frames are decoded and encoded with kafkajs's own protocol primitives (an independent broker-side implementation
// of the requests and responses, not kafkajs's client code paths).
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const Decoder: any = require('kafkajs/src/protocol/decoder.js');
const Encoder: any = require('kafkajs/src/protocol/encoder.js');
const decodeRecordBatch: (decoder: any) => Promise<any> = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');

const API = { Produce: 0, Metadata: 3, ApiVersions: 18, CreateTopics: 19, InitProducerId: 22 } as const;
/** What the broker advertises; kafkajs then uses exactly these versions. */
const VERSIONS: [number, number, number][] = [
  [API.Produce, 3, 3],
  [API.Metadata, 1, 1],
  [API.ApiVersions, 0, 2],
  [API.CreateTopics, 0, 0],
  [API.InitProducerId, 0, 0],
];
const ERR = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, UNSUPPORTED_VERSION: 35, TOPIC_ALREADY_EXISTS: 36, INVALID_REPLICATION_FACTOR: 38 };

export interface FakeKafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  producerId: string;
  acks: number;
}

export interface FakeKafkaRequest {
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
}

export class FakeKafkaBroker {
  readonly records: FakeKafkaRecord[] = [];
  readonly requests: FakeKafkaRequest[] = [];
  /** Topic → partition count. */
  readonly topics = new Map<string, number>();
  readonly createTopicRequests: { topic: string; numPartitions: number; replicationFactor: number }[] = [];
  /** Answer every Produce with this error code (e.g. 10 MESSAGE_TOO_LARGE, 6 NOT_LEADER_FOR_PARTITION). */
  produceError: number | null = null;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private nextProducerId = 1000;
  private port_ = 0;

  /** `autoCreateTopics`: Metadata for an unknown topic creates it (as `auto.create.topics.enable=true`). */
  constructor(private readonly options: { autoCreateTopics?: boolean } = {}) {}

  get port(): number {
    return this.port_;
  }
  get brokers(): string[] {
    return [`127.0.0.1:${this.port_}`];
  }

  /** Listens (again, on the same port after a stop, when it had one). */
  async start(): Promise<this> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port_, '127.0.0.1', () => resolve());
    });
    this.port_ = (server.address() as net.AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Drops every connection and stops listening, like a broker that died. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    // Responses leave in request order, as Kafka guarantees per connection.
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        queue = queue.then(async () => {
          const response = await this.handle(frame).catch(() => null);
          if (response === null) return void socket.destroy();
          const size = Buffer.alloc(4);
          size.writeInt32BE(response.length);
          if (!socket.destroyed) socket.write(Buffer.concat([size, response]));
        });
      }
    });
  }

  /** One request frame → the response frame body (correlation id + payload), or null to hang up. */
  private async handle(frame: Buffer): Promise<Buffer | null> {
    const d = new Decoder(frame);
    const apiKey: number = d.readInt16();
    const apiVersion: number = d.readInt16();
    const correlationId: number = d.readInt32();
    const clientId: string | null = d.readString();
    this.requests.push({ apiKey, apiVersion, clientId });
    const out = new Encoder().writeInt32(correlationId);
    const supported = VERSIONS.find(([key]) => key === apiKey);
    if (!supported || apiVersion < supported[1] || apiVersion > supported[2]) {
      if (apiKey !== API.ApiVersions) return null;
      return out.writeInt16(ERR.UNSUPPORTED_VERSION).writeArray([]).buffer;
    }
    switch (apiKey) {
      case API.ApiVersions: {
        out.writeInt16(ERR.NONE).writeArray(VERSIONS.map(([key, min, max]) => new Encoder().writeInt16(key).writeInt16(min).writeInt16(max)));
        if (apiVersion >= 1) out.writeInt32(0);
        return out.buffer;
      }
      case API.Metadata:
        return this.metadata(d, out).buffer;
      case API.InitProducerId:
        d.readString();
        d.readInt32();
        return out.writeInt32(0).writeInt16(ERR.NONE).writeInt64(String(this.nextProducerId++)).writeInt16(0).buffer;
      case API.CreateTopics:
        return this.createTopics(d, out).buffer;
      case API.Produce:
        return (await this.produce(d, out)).buffer;
    }
    return null;
  }

  private metadata(d: any, out: any): any {
    const count: number = d.readInt32(); // -1: all topics
    const requested: string[] | null = count === -1 ? null : Array.from({ length: count }, () => d.readString() as string);
    if (requested && this.options.autoCreateTopics) for (const t of requested) if (!this.topics.has(t)) this.topics.set(t, 1);
    const names = requested ?? [...this.topics.keys()];
    out.writeArray([new Encoder().writeInt32(0).writeString('127.0.0.1').writeInt32(this.port_).writeString(null)]);
    out.writeInt32(0); // controller id
    out.writeArray(
      names.map((name) => {
        const partitions = this.topics.get(name);
        const topic = new Encoder().writeInt16(partitions === undefined ? ERR.UNKNOWN_TOPIC_OR_PARTITION : ERR.NONE).writeString(name).writeBoolean(false);
        const list = Array.from({ length: partitions ?? 0 }, (_, p) =>
          new Encoder().writeInt16(ERR.NONE).writeInt32(p).writeInt32(0).writeArray([0]).writeArray([0]),
        );
        return topic.writeArray(list);
      }),
    );
    return out;
  }

  private createTopics(d: any, out: any): any {
    const results = d.readArray((t: any) => {
      const topic: string = t.readString();
      const numPartitions: number = t.readInt32();
      const replicationFactor: number = t.readInt16();
      t.readArray((a: any) => (a.readInt32(), a.readArray((r: any) => r.readInt32())));
      t.readArray((c: any) => (c.readString(), c.readString()));
      this.createTopicRequests.push({ topic, numPartitions, replicationFactor });
      let code = ERR.NONE;
      if (this.topics.has(topic)) code = ERR.TOPIC_ALREADY_EXISTS;
      else if (replicationFactor > 1) code = ERR.INVALID_REPLICATION_FACTOR; // one broker
      else this.topics.set(topic, numPartitions > 0 ? numPartitions : 1);
      return new Encoder().writeString(topic).writeInt16(code);
    });
    d.readInt32(); // timeout
    return out.writeArray(results);
  }

  private async produce(d: any, out: any): Promise<any> {
    d.readString(); // transactional id
    const acks: number = d.readInt16();
    d.readInt32(); // timeout
    const topics: { topic: string; partitions: { partition: number; batch: any }[] }[] = [];
    const topicCount: number = d.readInt32();
    for (let i = 0; i < topicCount; i++) {
      const topic: string = d.readString();
      const partitions: { partition: number; batch: any }[] = [];
      const partitionCount: number = d.readInt32();
      for (let j = 0; j < partitionCount; j++) {
        const partition: number = d.readInt32();
        const size: number = d.readInt32();
        const batch = await decodeRecordBatch(d.slice(size));
        d.forward(size);
        partitions.push({ partition, batch });
      }
      topics.push({ topic, partitions });
    }
    return out
      .writeArray(
        topics.map(({ topic, partitions }) =>
          new Encoder().writeString(topic).writeArray(
            partitions.map(({ partition, batch }) => {
              const known = (this.topics.get(topic) ?? 0) > partition;
              const code = this.produceError ?? (known ? ERR.NONE : ERR.UNKNOWN_TOPIC_OR_PARTITION);
              const base = this.records.filter((r) => r.topic === topic && r.partition === partition).length;
              if (code === ERR.NONE) {
                batch.records.forEach((r: any, k: number) => {
                  this.records.push({
                    topic, partition, offset: base + k, acks, producerId: String(batch.producerId),
                    key: r.key === null ? null : r.key.toString('utf8'),
                    value: r.value === null ? null : r.value.toString('utf8'),
                    headers: Object.fromEntries(Object.entries(r.headers as Record<string, Buffer>).map(([h, v]) => [h, v.toString('utf8')])),
                  });
                });
              }
              return new Encoder().writeInt32(partition).writeInt16(code).writeInt64(String(code === ERR.NONE ? base : -1)).writeInt64('-1');
            }),
          ),
        ),
      )
      .writeInt32(0);
  }
}
