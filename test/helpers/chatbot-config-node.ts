// Shared set-up of the chatbot configuration e2e tests (chatbot-config-*.test.ts): a node with every bot type enabled,
// a local fake of OpenAI's `GET /models`, and helpers that make instances, OpenAI credentials and bots.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_ENABLED, type BotFixture } from './chatbot-fixtures.js';
import type { DatabaseKind } from './databases.js';
import { createInstance, startTestServer, type CallResult, type TestServer } from './server.js';

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const GOOD_KEY = 'sk-fake-good';
export const GLOBAL_KEY = 'sk-fake-global';
export const DOWN_KEY = 'sk-fake-down';
export const sorted = (keys: string[]) => [...keys].sort();

export type FakeOpenAi = Awaited<ReturnType<typeof startFakeOpenAi>>;

/** OpenAI's `GET /models`: the list for known keys, OpenAI's 401 body otherwise. Records the keys it saw. */
export async function startFakeOpenAi(): Promise<{ url: string; keys: string[]; close(): Promise<void> }> {
  const keys: string[] = [];
  const server: Server = createServer((req, res) => {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    keys.push(key);
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'GET' || req.url !== '/v1/models') {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
    } else if (key === DOWN_KEY) {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: { message: 'The engine is currently overloaded', type: 'server_error' } }));
    } else if (key === GOOD_KEY || key === GLOBAL_KEY) {
      res.end(JSON.stringify({ object: 'list', data: [{ id: `model-for-${key}`, object: 'model', created: 1, owned_by: 'fake' }] }));
    } else {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, keys, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ChatbotConfigNode {
  server: TestServer;
  openai: FakeOpenAi;
  /** A new instance. */
  fresh(): Promise<{ name: string; id: string; token: string }>;
  /** New OpenAI credentials of an instance; returns their id. */
  newCreds(instance: string, name?: string, apiKey?: string): Promise<string>;
  /** Creates a keyword bot of the fixture's type with `body` on top of a valid one. */
  create(f: BotFixture, instance: string, credsId: string, body: Record<string, unknown>): Promise<CallResult>;
  close(): Promise<void>;
}

/** A node with every chatbot type enabled whose OpenAI base URL is the local fake. */
export async function startChatbotConfigNode(kind: DatabaseKind): Promise<ChatbotConfigNode> {
  const openai = await startFakeOpenAi();
  const server = await startTestServer(kind, { env: { ...ALL_ENABLED, OPENAI_API_BASE_URL: `${openai.url}/v1` } });
  let seq = 0;
  return {
    server,
    openai,
    async fresh() {
      seq += 1;
      const created = await createInstance(server, { instanceName: `cb-${seq}` });
      return { name: created.instance.instanceName, id: created.instance.instanceId, token: created.hash };
    },
    async newCreds(instance, name = 'main', apiKey = `sk-${Math.random()}`) {
      const res = await server.call('POST', `/openai/creds/${instance}`, { body: { name, apiKey } });
      assert.equal(res.status, 201, res.text);
      return res.body.id;
    },
    create(f, instance, credsId, body) {
      return server.call('POST', `/${f.bot}/create/${instance}`, { body: { enabled: true, triggerType: 'keyword', triggerOperator: 'equals', ...f.body(1, credsId), ...body } });
    },
    async close() {
      await server.close();
      await openai.close();
    },
  };
}
