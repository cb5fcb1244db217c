// Starts a real Parley node in-process on a random port, with real HTTP and a real database.
import { pino } from 'pino';
import { createParley, type Parley, type ParleyOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { ChannelFactory } from '../../src/ports/channel.js';
import type { Clock } from '../../src/ports/clock.js';
import type { DatabaseKind, TestDatabase } from './databases.js';

export const TEST_API_KEY = 'test-global-key-0123456789abcdef';

export interface TestServer {
  url: string;
  parley: Parley;
  db: TestDatabase;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
  /** Stops the server but keeps its database (for restart tests). */
  stop(): Promise<void>;
}

export interface CallOptions {
  apikey?: string | null;
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface StartOptions {
  env?: Record<string, string>;
  channels?: ChannelFactory[];
  /** Channels built from the node's services (e.g. WHATSAPP-BAILEYS with a fake socket factory). */
  channelsFor?: ParleyOptions['channelsFor'];
  clock?: Clock;
  /** Reuse an existing database (restart). */
  db?: TestDatabase;
}

export async function startTestServer(kind: DatabaseKind, options: StartOptions = {}): Promise<TestServer> {
  const db = options.db ?? (await kind.create());
  const config = loadConfig({
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: '0',
    PARLEY_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    AUTHENTICATION_API_KEY: TEST_API_KEY,
    LOG_LEVEL: process.env.PARLEY_TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = pino({ level: config.log.level });
  const parley = await createParley({ config, apiKey: config.apiKey!, logger, channels: options.channels, channelsFor: options.channelsFor, clock: options.clock });
  const url = await parley.start();

  const call = (method: string, path: string, o: CallOptions = {}) => callApi(url, TEST_API_KEY, method, path, o);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await parley.stop();
  };
  return {
    url,
    parley,
    db,
    call,
    stop,
    close: async () => {
      await stop();
      await db.drop();
    },
  };
}

/** One API call: `apikey` defaults to `defaultKey` (`null` sends none); JSON in, JSON (or text) out. */
export async function callApi(baseUrl: string, defaultKey: string | null, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...o.headers };
  const apikey = o.apikey === undefined ? defaultKey : o.apikey;
  if (apikey !== null) headers.apikey = apikey;
  let body: string | undefined;
  if (o.rawBody !== undefined) body = o.rawBody;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** Creates an instance through the API and returns the create response body. */
export async function createInstance(server: TestServer, body: Record<string, unknown>): Promise<any> {
  const result = await server.call('POST', '/instance/create', { body: { integration: 'WHATSAPP-BAILEYS', ...body } });
  if (result.status !== 201) throw new Error(`create failed: ${result.status} ${result.text}`);
  return result.body;
}
