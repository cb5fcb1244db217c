// Operations surface: /health, /ready, /docs, OpenAPI, GET / (no outbound calls), /verify-creds, and the
// DEL_INSTANCE reaper with an injected clock — on every test database.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parleyVersion } from '../../src/app.js';
import { FakeChannel } from '../fakes/fake-channel.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, TEST_API_KEY, type TestServer } from '../helpers/server.js';

interface ConnectTarget {
  host: string | undefined;
  port: number | undefined;
  path: string | undefined;
}

/**
 * Records every outgoing TCP/IPC connection the process starts (fetch, http, https, tls and net all end in
 * `net.Socket.prototype.connect`) while `spy` is active.
 */
function spyOnConnections(): { targets: ConnectTarget[]; restore(): void } {
  const targets: ConnectTarget[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() hands over its already-normalized arguments as one array: [options, callback].
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (first !== null && typeof first === 'object') {
      const o = first as { host?: string; port?: number | string; path?: string };
      targets.push({ host: o.host, port: o.port === undefined ? undefined : Number(o.port), path: o.path });
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      targets.push({ host: typeof second === 'string' ? second : undefined, port: Number(first), path: undefined });
    } else {
      targets.push({ host: undefined, port: undefined, path: String(first) });
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return { targets, restore: () => void (net.Socket.prototype.connect = original) };
}

for (const kind of databaseKinds()) {
  describe(`operations [${kind.name}]`, () => {
    let server: TestServer;
    const env = {
      SERVER_URL: 'https://parley.example.com/',
      DATABASE_CONNECTION_CLIENT_NAME: 'ops_client',
      FACEBOOK_APP_ID: 'fb-app-123',
      FACEBOOK_CONFIG_ID: 'fb-config-456',
      FACEBOOK_USER_TOKEN: 'fb-user-789',
    };

    before(async () => {
      server = await startTestServer(kind, { env });
    });
    after(() => server.close());

    it('GET /health answers 200 without a key', async () => {
      const res = await server.call('GET', '/health', { apikey: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    });

    it('GET /ready answers 200 while the database is up', async () => {
      const res = await server.call('GET', '/ready', { apikey: null });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'ready' });
    });

    it('GET /docs serves the HTML documentation', async () => {
      const res = await server.call('GET', '/docs', { apikey: null });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.text, /<html/i);
      assert.match(res.text, /swagger/i);
    });

    it('GET /docs/openapi.json is OpenAPI 3.1 with the routes and the apikey header scheme', async () => {
      const res = await server.call('GET', '/docs/openapi.json', { apikey: null });
      assert.equal(res.status, 200, res.text);
      const doc = res.body;
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(doc.info.version, parleyVersion);
      for (const [route, method] of [
        ['/instance/create', 'post'],
        ['/instance/fetchInstances', 'get'],
        ['/settings/set/{instanceName}', 'post'],
        ['/proxy/set/{instanceName}', 'post'],
      ] as const) {
        assert.ok(doc.paths[route]?.[method], `${method.toUpperCase()} ${route} is documented`);
      }
      assert.ok(
        doc.paths['/settings/set/{instanceName}'].post.parameters.some((p: any) => p.in === 'path' && p.name === 'instanceName'),
        'the path parameter is documented',
      );
      assert.ok(doc.paths['/instance/create'].post.requestBody, 'the create body is documented');
      assert.deepEqual(doc.components.securitySchemes.apikey, { type: 'apiKey', in: 'header', name: 'apikey' });
      assert.deepEqual(doc.security, [{ apikey: [] }]);
      assert.equal(doc.paths['/docs/openapi.json'], undefined, 'the document does not list itself');
    });

    it('GET / answers the Evolution welcome locally, without any outbound connection', async () => {
      const spy = spyOnConnections();
      try {
        // The spy works: a connection opened now is recorded.
        const probe = net.connect(Number(new URL(server.url).port), '127.0.0.1');
        await new Promise<void>((resolve, reject) => probe.once('connect', () => resolve()).once('error', reject));
        probe.destroy();
        assert.equal(spy.targets.length, 1, 'the connection spy records connections');

        const res = await server.call('GET', '/', { apikey: null });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, {
          status: 200,
          message: 'Welcome to the Evolution API, it is working!',
          version: '2.3.6',
          clientName: 'ops_client',
          documentation: 'https://parley.example.com/docs',
          parley: { version: parleyVersion },
        });
        const port = Number(new URL(server.url).port);
        const outbound = spy.targets.filter((t) => !(t.host === '127.0.0.1' && t.port === port));
        assert.deepEqual(outbound, [], 'GET / opened no connection except the test client’s own');
      } finally {
        spy.restore();
      }
    });

    it('POST /verify-creds accepts the global key only', async () => {
      const ok = await server.call('POST', '/verify-creds');
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body, {
        status: 200,
        message: 'Credentials are valid',
        facebookAppId: 'fb-app-123',
        facebookConfigId: 'fb-config-456',
        facebookUserToken: 'fb-user-789',
      });
      assertEvolutionError(await server.call('POST', '/verify-creds', { apikey: null }), 401);
      assertEvolutionError(await server.call('POST', '/verify-creds', { apikey: `${TEST_API_KEY}-not` }), 401);
      const created = await createInstance(server, { instanceName: 'ops-token-owner', token: 'ops-instance-token' });
      assert.equal(created.hash, 'ops-instance-token');
      assertEvolutionError(await server.call('POST', '/verify-creds', { apikey: 'ops-instance-token' }), 401);
    });

    it('has no reaper when DEL_INSTANCE is unset or false', async () => {
      assert.equal(server.parley.reaper, undefined);
      // A second node on the same database (stopped, not closed: the database belongs to the first).
      const off = await startTestServer(kind, { db: server.db, env: { DEL_INSTANCE: 'false' } });
      try {
        assert.equal(off.parley.reaper, undefined);
      } finally {
        await off.stop();
      }
    });
  });

  describe(`readiness with the database gone [${kind.name}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind);
    });
    after(() => server.close());

    it('GET /ready answers 503 with an Evolution body once the store is closed; /health stays 200', async () => {
      assert.equal((await server.call('GET', '/ready')).status, 200);
      await server.parley.store.close();
      const res = await server.call('GET', '/ready', { apikey: null });
      assert.equal(res.status, 503, res.text);
      assert.deepEqual(res.body, { status: 503, error: 'Service Unavailable', response: { message: ['database is not reachable'] } });
      const health = await server.call('GET', '/health', { apikey: null });
      assert.equal(health.status, 200);
    });
  });

  describe(`DEL_INSTANCE [${kind.name}]`, () => {
    let server: TestServer;
    let now = new Date('2030-01-01T12:00:00.000Z');
    const clock = { now: () => now };
    const advance = (minutes: number) => {
      now = new Date(now.getTime() + minutes * 60_000);
    };
    const fake = new FakeChannel('WHATSAPP-BAILEYS');
    const names = async () => ((await server.call('GET', '/instance/fetchInstances')).body as any[]).map((r) => r.name).sort();

    before(async () => {
      server = await startTestServer(kind, { env: { DEL_INSTANCE: '5' }, channels: [fake], clock });
      // The test drives the sweeps itself.
      server.parley.reaper?.stop();
    });
    after(() => server.close());

    it('deletes the instances that did not reach open within 5 minutes, and keeps the open one', async () => {
      assert.ok(server.parley.reaper !== undefined, 'DEL_INSTANCE=5 installs a reaper');
      await createInstance(server, { instanceName: 'reap-idle' });
      await createInstance(server, { instanceName: 'reap-connecting' });
      await createInstance(server, { instanceName: 'reap-open' });
      assert.equal((await server.call('GET', '/instance/connect/reap-connecting')).status, 200);
      assert.equal((await server.call('GET', '/instance/connect/reap-open')).status, 200);
      await fake.pair('reap-open');
      assert.equal((await server.call('GET', '/instance/connectionState/reap-open')).body.instance.state, 'open');

      advance(4);
      assert.deepEqual(await server.parley.reaper!.sweep(), [], 'nothing is due after 4 minutes');
      assert.deepEqual(await names(), ['reap-connecting', 'reap-idle', 'reap-open']);

      advance(2);
      const deleted = await server.parley.reaper!.sweep();
      assert.deepEqual([...deleted].sort(), ['reap-connecting', 'reap-idle']);
      assert.deepEqual(await names(), ['reap-open']);
      assert.ok(fake.calls.includes('logout:reap-connecting'), 'a connecting instance is logged out before it is deleted');
      assert.ok(!fake.calls.includes('logout:reap-open'));
      assertEvolutionError(await server.call('GET', '/instance/connectionState/reap-idle'), 404);

      assert.deepEqual(await server.parley.reaper!.sweep(), [], 'a second sweep finds nothing');
    });

    it('counts the minutes from each instance’s own creation', async () => {
      await createInstance(server, { instanceName: 'reap-young' });
      advance(3);
      assert.deepEqual(await server.parley.reaper!.sweep(), []);
      assert.ok((await names()).includes('reap-young'));
      advance(3);
      assert.deepEqual(await server.parley.reaper!.sweep(), ['reap-young']);
      assert.deepEqual(await names(), ['reap-open']);
    });

    it('keeps an instance that reached open in time, even after it later disconnects', async () => {
      await createInstance(server, { instanceName: 'reap-was-open' });
      await server.call('GET', '/instance/connect/reap-was-open');
      advance(1);
      await fake.pair('reap-was-open');
      advance(10);
      assert.deepEqual(await server.parley.reaper!.sweep(), []);
      // The account is unlinked later; the instance "reached open" long ago and is not DEL_INSTANCE's to delete.
      const logout = await server.call('DELETE', '/instance/logout/reap-was-open');
      assert.equal(logout.status, 200, logout.text);
      advance(10);
      assert.deepEqual(await server.parley.reaper!.sweep(), [], 'an instance that was open is never reaped');
      assert.deepEqual(await names(), ['reap-open', 'reap-was-open']);
    });
  });
}

for (const kind of databaseKinds().filter((k) => k.name === 'postgres')) {
  describe(`two deployments in one PostgreSQL database, different ?schema= [${kind.name}]`, () => {
    it('both start, migrate their own schema and see only their own instances', async () => {
      const first = await startTestServer(kind);
      const secondDb = await kind.create();
      try {
        await createInstance(first, { instanceName: 'schema-a-only' });
        // The second node's schema is empty while the first one's already holds the migration tables.
        const second = await startTestServer(kind, { db: secondDb });
        try {
          await createInstance(second, { instanceName: 'schema-b-only' });
          const a = (await first.call('GET', '/instance/fetchInstances')).body.map((r: any) => r.name);
          const b = (await second.call('GET', '/instance/fetchInstances')).body.map((r: any) => r.name);
          assert.deepEqual(a, ['schema-a-only']);
          assert.deepEqual(b, ['schema-b-only']);
        } finally {
          await second.stop();
        }
      } finally {
        await first.close();
        await secondDb.drop();
      }
    });
  });
}
