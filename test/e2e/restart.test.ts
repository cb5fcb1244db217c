// The real process across restarts: SIGTERM (graceful, exit 0) and kill -9 keep every instance, token, setting and
// proxy; a request in flight when SIGTERM arrives is answered, never cut off — on every test database.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

const API_KEY = 'restart-test-key-0123456789abcdef';

const SETTINGS = {
  rejectCall: true,
  msgCall: 'busy, call later',
  groupsIgnore: true,
  alwaysOnline: false,
  readMessages: true,
  readStatus: false,
  syncFullHistory: true,
  wavoipToken: 'wavoip-123',
};
const PROXY = { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'puser', password: 'ppass' };

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface RawExchange {
  write(data: string): Promise<void>;
  /** The first complete response; rejects when the connection ends before one arrived. */
  response: Promise<RawResponse>;
  /** Resolves when the connection is closed (by either side). The test never closes it itself unless told to. */
  closed: Promise<void>;
  end(): void;
}

/**
 * One HTTP/1.1 exchange over a raw socket, written in pieces: lets a test put a request half on the wire, signal the
 * server, then finish the request. Like a keep-alive client, the socket stays open after the response.
 */
function rawExchange(port: number): Promise<RawExchange> {
  return new Promise((resolveSocket, rejectSocket) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    let settled = false;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const response = new Promise<RawResponse>((resolve, reject) => {
      const tryParse = () => {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? NaN);
        if (Number.isNaN(length)) {
          settled = true;
          reject(new Error(`response without content-length: ${buffer.toString()}`));
          return;
        }
        if (buffer.length < end + 4 + length) return;
        settled = true;
        resolve({ status, headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8') });
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!settled) tryParse();
      });
      socket.on('error', (error) => {
        if (!settled) reject(error);
      });
      socket.on('close', () => {
        if (!settled) reject(new Error(`connection closed before a complete response; received: ${JSON.stringify(buffer.toString())}`));
      });
    });
    response.catch(() => undefined); // observed by the test; avoid an unhandled rejection in between
    socket.once('connect', () =>
      resolveSocket({
        write: (data) => new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve()))),
        response,
        closed,
        end: () => socket.destroy(),
      }),
    );
    socket.once('error', rejectSocket);
  });
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`restart [${kind.name}]`, () => {
    let db: TestDatabase;
    let server: ServerProcess | undefined;
    /** fetchInstances as answered before the first restart. */
    let snapshot: any[];

    const start = async (env?: Record<string, string>) => {
      server = await startServerProcess({ dataDir: db.dataDir, databaseUrl: db.url, apiKey: API_KEY, env });
      return server;
    };

    /** A running server: the one the previous test left, or (when it is gone or `env` is given) a new one. */
    const running = async (env?: Record<string, string>) => {
      if (env === undefined && server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
        return server;
      }
      if (server !== undefined) await server.stop();
      return start(env);
    };

    before(async () => {
      db = await kind.create();
    });
    after(async () => {
      if (server !== undefined && !server.hasExited()) await server.kill();
      await db.drop();
    });

    it('keeps instances, ids, tokens, settings and proxy across SIGTERM, which exits 0', async () => {
      const s = await start();
      const baileys = await s.call('POST', '/instance/create', {
        body: { instanceName: 'rs-baileys', integration: 'WHATSAPP-BAILEYS', token: 'rs-baileys-token-1' },
      });
      assert.equal(baileys.status, 201, baileys.text);
      const business = await s.call('POST', '/instance/create', {
        body: { instanceName: 'rs-business', integration: 'WHATSAPP-BUSINESS', token: 'EAAG-rs-meta', number: '5511900000001', businessId: '42' },
      });
      assert.equal(business.status, 201, business.text);
      const evolution = await s.call('POST', '/instance/create', {
        body: { instanceName: 'rs-evolution', integration: 'EVOLUTION', number: '5511900000002', readMessages: true },
      });
      assert.equal(evolution.status, 201, evolution.text);

      const settings = await s.call('POST', '/settings/set/rs-baileys', { body: SETTINGS });
      assert.equal(settings.status, 201, settings.text);
      const proxy = await s.call('POST', '/proxy/set/rs-baileys', { body: PROXY });
      assert.equal(proxy.status, 201, proxy.text);

      const before = await s.call('GET', '/instance/fetchInstances');
      assert.equal(before.status, 200);
      snapshot = before.body;
      assert.deepEqual(snapshot.map((r) => r.name), ['rs-baileys', 'rs-business', 'rs-evolution']);

      const exit = await s.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `graceful stop must exit 0\n${s.stderr()}`);
      assert.ok(
        s.logLines().some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'),
        'the shutdown is logged',
      );
      assert.equal(s.stderr(), '', 'a graceful stop writes nothing to stderr');

      const s2 = await start();
      const afterRestart = await s2.call('GET', '/instance/fetchInstances');
      assert.equal(afterRestart.status, 200);
      assert.deepEqual(afterRestart.body, snapshot, 'fetchInstances is identical after the restart');

      const byName = Object.fromEntries(afterRestart.body.map((r: any) => [r.name, r]));
      assert.equal(byName['rs-baileys'].id, baileys.body.instance.instanceId);
      assert.equal(byName['rs-baileys'].token, 'rs-baileys-token-1');
      assert.equal(byName['rs-baileys'].integration, 'WHATSAPP-BAILEYS');
      assert.equal(byName['rs-business'].id, business.body.instance.instanceId);
      assert.equal(byName['rs-business'].token, 'EAAG-rs-meta');
      assert.equal(byName['rs-business'].integration, 'WHATSAPP-BUSINESS');
      assert.equal(byName['rs-business'].number, '5511900000001');
      assert.equal(byName['rs-business'].businessId, '42');
      assert.equal(byName['rs-evolution'].id, evolution.body.instance.instanceId);
      assert.equal(byName['rs-evolution'].token, evolution.body.hash);
      assert.equal(byName['rs-evolution'].integration, 'EVOLUTION');
      assert.equal(byName['rs-evolution'].Setting.readMessages, true);

      const { id: settingsId, createdAt: sc, updatedAt: su, instanceId: sInstance, ...settingValues } = byName['rs-baileys'].Setting;
      assert.deepEqual(settingValues, SETTINGS);
      assert.equal(sInstance, byName['rs-baileys'].id);
      assert.equal(typeof settingsId, 'string');
      const { id: proxyId, createdAt: pc, updatedAt: pu, instanceId: pInstance, ...proxyValues } = byName['rs-baileys'].Proxy;
      assert.deepEqual(proxyValues, PROXY);
      assert.equal(pInstance, byName['rs-baileys'].id);
      assert.equal(byName['rs-business'].Proxy, null);
      assert.equal(byName['rs-evolution'].Proxy, null);

      // Tokens still authenticate (their hashes were stored), and the find routes agree.
      const state = await s2.call('GET', '/instance/connectionState/rs-evolution', { apikey: evolution.body.hash });
      // The EVOLUTION channel is always open, and resumed at boot.
      assert.deepEqual(state.body, { instance: { instanceName: 'rs-evolution', state: 'open' } });
      const ownList = await s2.call('GET', '/instance/fetchInstances', { apikey: 'rs-baileys-token-1' });
      assert.deepEqual(ownList.body.map((r: any) => r.name), ['rs-baileys']);
      const settingsFind = await s2.call('GET', '/settings/find/rs-baileys', { apikey: 'rs-baileys-token-1' });
      assert.deepEqual(settingsFind.body, SETTINGS);
      const proxyFind = await s2.call('GET', '/proxy/find/rs-baileys');
      assert.deepEqual(proxyFind.body, byName['rs-baileys'].Proxy);
    });

    it('keeps everything across kill -9, including the instance created just before the crash', async () => {
      const s = await running();
      const last = await s.call('POST', '/instance/create', {
        body: { instanceName: 'rs-last', integration: 'WHATSAPP-BAILEYS', token: 'rs-last-token', rejectCall: true },
      });
      assert.equal(last.status, 201, last.text);
      const expected = (await s.call('GET', '/instance/fetchInstances')).body;
      assert.deepEqual(expected.map((r: any) => r.name), ['rs-baileys', 'rs-business', 'rs-evolution', 'rs-last']);

      const exit = await s.kill();
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });

      const s2 = await start();
      const list = await s2.call('GET', '/instance/fetchInstances');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, expected, 'fetchInstances is identical after kill -9');
      assert.deepEqual(list.body.slice(0, 3), snapshot, 'the first three are unchanged since the first start');
      const lastRow = list.body.find((r: any) => r.name === 'rs-last');
      assert.equal(lastRow.id, last.body.instance.instanceId);
      assert.equal(lastRow.token, 'rs-last-token');
      assert.equal(lastRow.Setting.rejectCall, true);

      // And once more gracefully, to show the crashed database is fully usable.
      const more = await s2.call('POST', '/instance/create', { body: { instanceName: 'rs-after-crash', integration: 'EVOLUTION', number: '5511900000003' } });
      assert.equal(more.status, 201, more.text);
      assert.deepEqual(await s2.stop(), { code: 0, signal: null });
      const s3 = await start();
      const names = (await s3.call('GET', '/instance/fetchInstances')).body.map((r: any) => r.name);
      assert.deepEqual(names, ['rs-baileys', 'rs-business', 'rs-evolution', 'rs-last', 'rs-after-crash']);
    });

    it('finishes a request that is in flight when SIGTERM arrives, then closes its connection and exits 0', async () => {
      // A short shutdown timeout: a stop that hangs fails in 5 s instead of 10.
      const s = await running({ PARLEY_SHUTDOWN_TIMEOUT_MS: '5000' });
      const body = JSON.stringify({ instanceName: 'rs-inflight', integration: 'WHATSAPP-BAILEYS', token: 'rs-inflight-token' });
      const half = Math.floor(body.length / 2);
      const exchange = await rawExchange(s.port);
      // Headers and half of the body are on the wire: the server is reading this request.
      await exchange.write(
        `POST /instance/create HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\napikey: ${API_KEY}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
      );
      await sleep(300);
      s.child.kill('SIGTERM');
      await s.waitForStdout((line) => line.includes('"shutting down"'));
      // The listener is closed: a new connection is not accepted any more …
      await assert.rejects(fetch(`${s.url}/health`));
      assert.ok(!s.hasExited(), 'the process waits for the request in flight');
      // … but the request in flight is completed and answered.
      await exchange.write(body.slice(half));
      const response = await exchange.response;
      assert.equal(response.status, 201, response.body);
      const created = JSON.parse(response.body);
      assert.equal(created.instance.instanceName, 'rs-inflight');
      assert.equal(created.hash, 'rs-inflight-token');

      // The client keeps its connection open (keep-alive, as HTTP clients do): the server must close it after this
      // answer and finish its stop, not wait for the client or the shutdown timeout.
      const exit = await s.exited;
      exchange.end();

      const s2 = await start();
      const row = (await s2.call('GET', '/instance/fetchInstances?instanceName=rs-inflight')).body;
      assert.equal(row.length, 1);
      assert.equal(row[0].id, created.instance.instanceId);
      assert.equal(row[0].token, 'rs-inflight-token');

      assert.ok(!s.stdout().includes('shutdown timed out'), `the stop hung on the kept-alive connection:\n${s.stdout()}`);
      assert.deepEqual(exit, { code: 0, signal: null }, s.stderr());
    });

    it('answers a request whose headers complete during shutdown with a clean Evolution 503', async () => {
      const s = await running({ PARLEY_SHUTDOWN_TIMEOUT_MS: '5000' });
      const exchange = await rawExchange(s.port);
      // The request has started (request line on the wire), so the connection is not idle …
      await exchange.write(`POST /instance/create HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n`);
      await sleep(300);
      s.child.kill('SIGTERM');
      await s.waitForStdout((line) => line.includes('"shutting down"'));
      // … and its headers complete only once the server is closing: it must not be started any more.
      const body = JSON.stringify({ instanceName: 'rs-too-late', integration: 'WHATSAPP-BAILEYS' });
      await exchange.write(`apikey: ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const response = await exchange.response;
      assert.equal(response.status, 503, response.body);
      assert.match(response.headers['content-type'] ?? '', /^application\/json/);
      const refused = JSON.parse(response.body);
      assert.deepEqual(await s.exited, { code: 0, signal: null }, s.stderr());

      const s2 = await start();
      const missing = await s2.call('GET', '/instance/fetchInstances?instanceName=rs-too-late');
      assert.equal(missing.status, 404, 'a request refused with 503 created nothing');

      // Evolution's error body, like every other error this server sends (a client reads `response.message`).
      assert.deepEqual(Object.keys(refused).sort(), ['error', 'response', 'status'], response.body);
      assert.equal(refused.status, 503);
      assert.equal(refused.error, 'Service Unavailable');
      assert.ok(
        Array.isArray(refused.response.message) && refused.response.message.length > 0 &&
          refused.response.message.every((m: unknown) => typeof m === 'string'),
        response.body,
      );
    });

    it('requests racing SIGTERM are answered and kept, or refused and absent — never answered and lost', async (t) => {
      const s = await running({ PARLEY_SHUTDOWN_TIMEOUT_MS: '5000' });
      const names = ['rs-race-0', 'rs-race-1', 'rs-race-2', 'rs-race-3', 'rs-race-4', 'rs-race-5'];
      // Warm keep-alive connections first, so the creates go out at once on open sockets as the signal is sent.
      await Promise.all(names.map(() => s.call('GET', '/health')));
      const outcomes = names.map((name) =>
        s
          .call('POST', '/instance/create', { body: { instanceName: name, integration: 'WHATSAPP-BAILEYS' } })
          .then((r) => ({ name, status: r.status, body: r.body, text: r.text }), (error: unknown) => ({ name, error })),
      );
      s.child.kill('SIGTERM');
      const results = await Promise.all(outcomes);
      t.diagnostic(results.map((r) => `${r.name}: ${'error' in r ? `failed (${errorCode(r.error)})` : r.status}`).join(', '));
      const exit = await s.exited;

      const s2 = await start();
      const list = (await s2.call('GET', '/instance/fetchInstances')).body as any[];
      const stored = new Map(list.map((r) => [r.name, r]));
      for (const result of results) {
        if ('error' in result) {
          // Never reached a handler: nothing may have been created.
          assert.ok(!stored.has(result.name), `${result.name}: the connection failed but the instance was created`);
        } else if (result.status === 201) {
          assert.ok(stored.has(result.name), `${result.name}: answered 201 but lost after the restart`);
          assert.equal(stored.get(result.name).id, result.body.instance.instanceId);
          assert.equal(stored.get(result.name).token, result.body.hash);
        } else {
          assert.equal(result.status, 503, `${result.name}: unexpected answer ${result.status} ${result.text}`);
          assert.ok(!stored.has(result.name), `${result.name}: refused with 503 but created`);
        }
      }
      assert.deepEqual(await s2.stop(), { code: 0, signal: null });
      assert.ok(!s.stdout().includes('shutdown timed out'), `the stop hung on a kept-alive connection:\n${s.stdout()}`);
      assert.deepEqual(exit, { code: 0, signal: null }, s.stderr());
    });
  });
}
