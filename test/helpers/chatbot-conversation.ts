// A Parley node for chatbot conversations end to end: EVOLUTION instances fed through `POST /webhook/evolution`, bots
// configured through the routes, the engine driven by `chatbotEngine.tick()` on a manual clock, every send the engine
// asked the channel for recorded, and the instance's chatbot events received by a local webhook.
import assert from 'node:assert/strict';
import { evolutionChannel } from '../../src/channels/evolution/index.js';
import type { OutboundContent, OutboundMessage } from '../../src/domain/outbound.js';
import type { ChannelCapability, ChannelFactory } from '../../src/ports/channel.js';
import type { DatabaseKind } from './databases.js';
import { createInstance, startTestServer, type CallResult, type TestServer } from './server.js';
import { WebhookSink } from './webhook-sink.js';

export const ANA = '5511988887777@s.whatsapp.net';
/** SERVER_URL of the node: bots receive it as `serverUrl`. */
export const SERVER_URL = 'https://parley.example.test';

/** Behaviour settings for conversations: no debounce, no expiry surprises, `bye` ends a session. */
export const BEHAVIOUR = {
  expire: 10, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true, stopBotFromMe: true,
  keepOpen: false, debounceTime: 0, ignoreJids: [] as string[], splitMessages: false, timePerChar: 0,
};

export class ManualClock {
  constructor(public t = Date.parse('2026-11-21T12:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

export type Sent = OutboundMessage & { instance: string };

/**
 * The EVOLUTION channel recording what the engine asked it to send. `extra` capabilities (e.g. `list`, which the
 * EVOLUTION connector does not carry) are accepted and recorded, and answered like a connector would store them.
 */
function recordingChannel(sent: Sent[], extra: ChannelCapability[]): ChannelFactory {
  const capabilities = new Set<ChannelCapability>([...evolutionChannel.capabilities, ...extra]);
  return {
    ...evolutionChannel,
    capabilities,
    open(instance, events) {
      const connection = evolutionChannel.open(instance, events);
      return {
        ...connection,
        send: async (m) => {
          sent.push({ ...m, instance: instance.name });
          if (evolutionChannel.capabilities.has(m.content.kind)) return connection.send(m);
          return { key: { remoteJid: m.to, fromMe: true, id: `SENT${sent.length}` }, message: { [`${m.content.kind}Message`]: { ...m.content } }, messageType: `${m.content.kind}Message`, status: 'PENDING', messageTimestamp: 1_763_726_400 };
        },
      };
    },
  };
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Capabilities beyond the EVOLUTION channel's. */
  capabilities?: ChannelCapability[];
}

export class ChatbotHarness {
  readonly clock = new ManualClock();
  readonly sent: Sent[] = [];
  readonly sink = new WebhookSink();
  server!: TestServer;
  private numbers = 0;

  async start(kind: DatabaseKind, o: HarnessOptions = {}): Promise<this> {
    await this.sink.start();
    const env = { PARLEY_CHATBOT_TIMEOUT_MS: '2000', SERVER_URL: SERVER_URL, ...o.env };
    this.server = await startTestServer(kind, { clock: this.clock, channels: [recordingChannel(this.sent, o.capabilities ?? [])], env });
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.sink.stop();
  }

  call(method: string, path: string, body?: unknown): Promise<CallResult> {
    return this.server.call(method, path, body === undefined ? {} : { body });
  }

  /** A fresh EVOLUTION instance whose chatbot events go to the sink. */
  async instance(name: string): Promise<{ name: string; number: string; token: string }> {
    const number = `55120000${String(++this.numbers).padStart(5, '0')}`;
    const created = await createInstance(this.server, {
      instanceName: name, integration: 'EVOLUTION', number,
      webhook: { url: this.sink.url, events: ['CHATBOT_SESSION_UPDATE', 'TYPEBOT_CHANGE_STATUS', 'TYPEBOT_START'] },
    });
    assert.equal(typeof created.hash, 'string');
    return { name, number, token: created.hash as string };
  }

  /** Settings for `provider` on the instance (BEHAVIOUR plus `over`). */
  async settings(provider: string, instance: string, over: Record<string, unknown> = {}): Promise<void> {
    const res = await this.call('POST', `/${provider}/settings/${instance}`, { ...BEHAVIOUR, ...over });
    assert.equal(res.status, 200, res.text);
  }

  /** Creates a bot through the route; returns its id. */
  async bot(provider: string, instance: string, body: Record<string, unknown>): Promise<string> {
    const res = await this.call('POST', `/${provider}/create/${instance}`, { enabled: true, ...body });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  }

  async openAiCreds(instance: string, apiKey: string): Promise<string> {
    const res = await this.call('POST', `/openai/creds/${instance}`, { name: `creds-${instance}`, apiKey });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  }

  /** An inbound message: text, or a whole message content (image, audio …). */
  async inbound(number: string, message: string | Record<string, unknown>, o: { from?: string; fromMe?: boolean; id?: string } = {}): Promise<string> {
    const id = o.id ?? `M${Math.random().toString(16).slice(2)}`;
    const res = await this.server.call('POST', '/webhook/evolution', {
      apikey: null,
      body: { numberId: number, key: { id, remoteJid: o.from ?? ANA, fromMe: o.fromMe ?? false }, pushName: 'Ana', message: typeof message === 'string' ? { conversation: message } : message },
    });
    assert.equal(res.status, 200, res.text);
    return id;
  }

  /** One engine pass, waiting for the turns it started. */
  tick(): Promise<void> {
    return this.server.parley.chatbotEngine!.tick();
  }

  /** Sends `text` and runs the engine. */
  async say(number: string, message: string | Record<string, unknown>, o: { from?: string; fromMe?: boolean } = {}): Promise<void> {
    await this.inbound(number, message, o);
    await this.tick();
  }

  /** What the engine asked the channel to send to this instance, in order. */
  contents(instance: string): OutboundContent[] {
    return this.sent.filter((m) => m.instance === instance).map((m) => m.content);
  }

  /** The texts sent (other kinds by their kind). */
  texts(instance: string): string[] {
    return this.contents(instance).map((c) => (c.kind === 'text' ? c.text : c.kind));
  }

  async sessions(instance: string): Promise<any[]> {
    const res = await this.server.call('GET', `/chatbot/sessions/${instance}`);
    assert.equal(res.status, 200, res.text);
    return res.body as any[];
  }

  /** Evolution's `fetchSessions` rows of one bot. */
  async fetchSessions(provider: string, botId: string, instance: string): Promise<any[]> {
    const res = await this.server.call('GET', `/${provider}/fetchSessions/${botId}/${instance}`);
    assert.equal(res.status, 200, res.text);
    return res.body as any[];
  }

  /** Data of the instance's events of one wire name (`chatbot.session.update`, `typebot.change-status` …). */
  events(instance: string, name: string): any[] {
    return this.sink.events(name).filter((e) => e.instance === instance).map((e) => e.data);
  }

  /** `status:reason` of the instance's CHATBOT_SESSION_UPDATE events, once `count` arrived. */
  async sessionUpdates(instance: string, count: number): Promise<string[]> {
    const list = () => this.events(instance, 'chatbot.session.update').map((d) => `${d.status}:${d.reason}`);
    await this.sink.waitFor(() => list().length >= count, 10_000, `${count} session updates of ${instance}`);
    return list();
  }
}
