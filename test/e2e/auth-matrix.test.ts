// The apikey guard end to end (compat §2): every guarded route × every kind of caller, authentication before
// existence, the exact 401 body, fetchInstances narrowing for instance tokens, and the unguarded routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeChannel } from '../fakes/fake-channel.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, TEST_API_KEY, type CallResult, type TestServer } from '../helpers/server.js';

const UNAUTHORIZED = { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } };
const WRONG_KEY = 'definitely-not-a-valid-key-0000';

function assertUnauthorized(res: CallResult, context: string): void {
  assert.equal(res.status, 401, `${context}: expected 401, got ${res.status}: ${res.text}`);
  assert.deepEqual(res.body, UNAUTHORIZED, `${context}: 401 body must be exactly Evolution's`);
}

interface Target {
  name: string;
  token: string;
  id: string;
}

interface RouteCase {
  label: string;
  method: string;
  path: (name: string) => string;
  body?: unknown;
  /** Brings a fresh instance into the state the route needs to succeed (e.g. `open` for logout). */
  needsOpen?: boolean;
  /** What an authorised caller gets on a fresh instance in the prepared state. */
  expectAllowed: (res: CallResult, target: Target, server: TestServer) => Promise<void> | void;
  /** Checks that a refused call left no trace (run after the 401s). */
  unchanged?: (server: TestServer, target: Target) => Promise<void>;
}

const instanceRoutes: RouteCase[] = [
  {
    label: 'GET /instance/connect/{i}',
    method: 'GET',
    path: (i) => `/instance/connect/${i}`,
    expectAllowed: (res) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['base64', 'code', 'count', 'pairingCode']);
      assert.equal(res.body.count, 1);
    },
    unchanged: async (server, t) => {
      const state = await server.call('GET', `/instance/connectionState/${t.name}`);
      assert.deepEqual(state.body, { instance: { instanceName: t.name, state: 'close' } }, 'a refused connect must not start connecting');
    },
  },
  {
    label: 'POST /instance/restart/{i}',
    method: 'POST',
    path: (i) => `/instance/restart/${i}`,
    needsOpen: true,
    expectAllowed: (res, t) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { instance: { instanceName: t.name, state: 'open' } });
    },
  },
  {
    label: 'GET /instance/connectionState/{i}',
    method: 'GET',
    path: (i) => `/instance/connectionState/${i}`,
    expectAllowed: (res, t) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { instance: { instanceName: t.name, state: 'close' } });
    },
  },
  {
    label: 'POST /instance/setPresence/{i}',
    method: 'POST',
    path: (i) => `/instance/setPresence/${i}`,
    body: { presence: 'available' },
    needsOpen: true,
    expectAllowed: (res) => {
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { presence: 'available' });
    },
  },
  {
    label: 'DELETE /instance/logout/{i}',
    method: 'DELETE',
    path: (i) => `/instance/logout/${i}`,
    needsOpen: true,
    expectAllowed: async (res, t, server) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } });
      const state = await server.call('GET', `/instance/connectionState/${t.name}`);
      assert.equal(state.body.instance.state, 'close');
    },
    unchanged: async (server, t) => {
      const state = await server.call('GET', `/instance/connectionState/${t.name}`);
      assert.equal(state.body.instance.state, 'open', 'a refused logout must not log out');
    },
  },
  {
    label: 'DELETE /instance/delete/{i}',
    method: 'DELETE',
    path: (i) => `/instance/delete/${i}`,
    expectAllowed: async (res, t, server) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } });
      assertEvolutionError(await server.call('GET', `/instance/connectionState/${t.name}`), 404, `The "${t.name}" instance does not exist`);
    },
    unchanged: async (server, t) => {
      const state = await server.call('GET', `/instance/connectionState/${t.name}`);
      assert.equal(state.status, 200, 'a refused delete must not delete');
    },
  },
  {
    label: 'POST /settings/set/{i}',
    method: 'POST',
    path: (i) => `/settings/set/${i}`,
    body: {
      rejectCall: true, msgCall: 'no calls', groupsIgnore: true, alwaysOnline: true,
      readMessages: true, readStatus: true, syncFullHistory: true, wavoipToken: 'w',
    },
    expectAllowed: (res, t) => {
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, {
        settings: {
          instanceName: t.name,
          settings: {
            rejectCall: true, msgCall: 'no calls', groupsIgnore: true, alwaysOnline: true,
            readMessages: true, readStatus: true, syncFullHistory: true, wavoipToken: 'w',
          },
        },
      });
    },
    unchanged: async (server, t) => {
      const found = await server.call('GET', `/settings/find/${t.name}`);
      assert.equal(found.body.rejectCall, false, 'a refused settings/set must not write');
      assert.equal(found.body.msgCall, '');
    },
  },
  {
    label: 'GET /settings/find/{i}',
    method: 'GET',
    path: (i) => `/settings/find/${i}`,
    expectAllowed: (res) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {
        rejectCall: false, msgCall: '', groupsIgnore: false, alwaysOnline: false,
        readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '',
      });
    },
  },
  {
    label: 'POST /proxy/set/{i}',
    method: 'POST',
    path: (i) => `/proxy/set/${i}`,
    body: { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'u', password: 'p' },
    expectAllowed: (res, t) => {
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, {
        proxy: {
          instanceName: t.name,
          proxy: { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'u', password: 'p' },
        },
      });
    },
    unchanged: async (server, t) => {
      const found = await server.call('GET', `/proxy/find/${t.name}`);
      assert.equal(found.text, 'null', 'a refused proxy/set must not write');
    },
  },
  {
    label: 'GET /proxy/find/{i}',
    method: 'GET',
    path: (i) => `/proxy/find/${i}`,
    expectAllowed: (res) => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, 'null');
    },
  },
];

for (const kind of databaseKinds()) {
  describe(`auth matrix [${kind.name}]`, () => {
    let server: TestServer;
    const fake = new FakeChannel('WHATSAPP-BAILEYS');
    let other: Target;
    let seq = 0;

    /** A fresh instance with its own token, so destructive routes never interfere with each other. */
    async function fresh(prefix: string, open = false): Promise<Target> {
      seq += 1;
      const name = `${prefix}-${seq}`;
      const token = `token-of-${name}-${'x'.repeat(8)}`;
      const created = await createInstance(server, { instanceName: name, token });
      if (open) {
        const qr = await server.call('GET', `/instance/connect/${name}`);
        assert.equal(qr.status, 200, qr.text);
        await fake.pair(name);
      }
      return { name, token, id: created.instance.instanceId };
    }

    before(async () => {
      server = await startTestServer(kind, {
        channels: [fake],
        env: { FACEBOOK_APP_ID: 'fb-app-1', FACEBOOK_CONFIG_ID: 'fb-config-2', FACEBOOK_USER_TOKEN: 'fb-user-3' },
      });
      other = await fresh('other');
    });
    after(() => server.close());

    for (const route of instanceRoutes) {
      describe(route.label, () => {
        it('refuses a request without an apikey header with the exact 401 body', async () => {
          const t = await fresh('nokey', route.needsOpen);
          assertUnauthorized(await server.call(route.method, route.path(t.name), { apikey: null, body: route.body }), 'no key');
          await route.unchanged?.(server, t);
        });

        it('refuses an empty apikey header', async () => {
          const t = await fresh('emptykey', route.needsOpen);
          assertUnauthorized(await server.call(route.method, route.path(t.name), { apikey: '', body: route.body }), 'empty key');
          await route.unchanged?.(server, t);
        });

        it('refuses a wrong key, a near-miss of the global key and a near-miss of the token', async () => {
          const t = await fresh('wrongkey', route.needsOpen);
          for (const key of [WRONG_KEY, TEST_API_KEY.toUpperCase(), TEST_API_KEY.slice(0, -1), `${TEST_API_KEY}0`, t.token.slice(0, -1), `${t.token}x`]) {
            assertUnauthorized(await server.call(route.method, route.path(t.name), { apikey: key, body: route.body }), `key ${JSON.stringify(key)}`);
          }
          await route.unchanged?.(server, t);
        });

        it("refuses ANOTHER instance's token", async () => {
          const t = await fresh('othertok', route.needsOpen);
          assertUnauthorized(await server.call(route.method, route.path(t.name), { apikey: other.token, body: route.body }), 'other token');
          await route.unchanged?.(server, t);
        });

        it('refuses a key sent in another header (Authorization: Bearer)', async () => {
          const t = await fresh('bearer', route.needsOpen);
          const res = await server.call(route.method, route.path(t.name), {
            apikey: null,
            body: route.body,
            headers: { authorization: `Bearer ${TEST_API_KEY}` },
          });
          assertUnauthorized(res, 'bearer');
          await route.unchanged?.(server, t);
        });

        it('allows the global key', async () => {
          const t = await fresh('global', route.needsOpen);
          const res = await server.call(route.method, route.path(t.name), { body: route.body });
          assert.notEqual(res.status, 401, res.text);
          await route.expectAllowed(res, t, server);
        });

        it("allows the instance's own token", async () => {
          const t = await fresh('own', route.needsOpen);
          const res = await server.call(route.method, route.path(t.name), { apikey: t.token, body: route.body });
          assert.notEqual(res.status, 401, res.text);
          await route.expectAllowed(res, t, server);
        });

        it('authenticates before revealing existence: unknown instance → 401 for bad keys, 404 for the global key', async () => {
          const ghost = `ghost-${seq + 1000}`;
          const path = route.path(ghost);
          assertUnauthorized(await server.call(route.method, path, { apikey: null, body: route.body }), 'no key, unknown instance');
          assertUnauthorized(await server.call(route.method, path, { apikey: WRONG_KEY, body: route.body }), 'wrong key, unknown instance');
          assertUnauthorized(await server.call(route.method, path, { apikey: other.token, body: route.body }), 'instance token, unknown instance');
          const res = await server.call(route.method, path, { body: route.body });
          assertEvolutionError(res, 404, `The "${ghost}" instance does not exist`);
          assert.deepEqual(res.body.response.message, [`The "${ghost}" instance does not exist`]);
        });

        it('authenticates before validating: a bad key with a bad body is 401, not 400', async () => {
          const t = await fresh('authfirst', route.needsOpen);
          const badInput =
            route.method === 'GET'
              ? await server.call(route.method, `${route.path(t.name)}?number=not-a-number`, { apikey: WRONG_KEY })
              : await server.call(route.method, route.path(t.name), { apikey: WRONG_KEY, rawBody: '{bad' });
          assertUnauthorized(badInput, 'wrong key + bad input');
        });

        it('refuses the token of a deleted instance', async () => {
          const gone = await fresh('gone');
          const del = await server.call('DELETE', `/instance/delete/${gone.name}`);
          assert.equal(del.status, 200, del.text);
          const t = await fresh('after-gone', route.needsOpen);
          assertUnauthorized(await server.call(route.method, route.path(t.name), { apikey: gone.token, body: route.body }), 'deleted token');
          assertUnauthorized(await server.call(route.method, route.path(gone.name), { apikey: gone.token, body: route.body }), 'deleted token on its own name');
        });
      });
    }

    describe('POST /instance/create (global key only)', () => {
      it('refuses no key, an empty key and a wrong key with the exact 401 body, and creates nothing', async () => {
        const body = { instanceName: 'create-refused', integration: 'WHATSAPP-BAILEYS' };
        assertUnauthorized(await server.call('POST', '/instance/create', { apikey: null, body }), 'no key');
        assertUnauthorized(await server.call('POST', '/instance/create', { apikey: '', body }), 'empty key');
        assertUnauthorized(await server.call('POST', '/instance/create', { apikey: WRONG_KEY, body }), 'wrong key');
        const list = await server.call('GET', '/instance/fetchInstances');
        assert.ok(!list.body.some((r: any) => r.name === 'create-refused'));
      });

      it('refuses an instance token with 401 and creates nothing', async () => {
        const t = await fresh('creator');
        const res = await server.call('POST', '/instance/create', {
          apikey: t.token,
          body: { instanceName: 'create-by-token', integration: 'WHATSAPP-BAILEYS' },
        });
        assertUnauthorized(res, 'instance token on create');
        assertEvolutionError(await server.call('GET', '/instance/fetchInstances?instanceName=create-by-token'), 404);
      });

      it('checks the key before the body: a wrong key with an invalid body is 401', async () => {
        assertUnauthorized(await server.call('POST', '/instance/create', { apikey: WRONG_KEY, body: {} }), 'wrong key, empty object');
        assertUnauthorized(await server.call('POST', '/instance/create', { apikey: WRONG_KEY, rawBody: '{bad' }), 'wrong key, bad JSON');
      });

      it('checks the key before the name: a wrong key with a taken name is 401, not 403', async () => {
        const res = await server.call('POST', '/instance/create', {
          apikey: WRONG_KEY,
          body: { instanceName: other.name, integration: 'WHATSAPP-BAILEYS' },
        });
        assertUnauthorized(res, 'wrong key, taken name');
      });

      it('allows the global key (201)', async () => {
        const res = await server.call('POST', '/instance/create', { body: { instanceName: 'create-ok', integration: 'WHATSAPP-BAILEYS' } });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.instance.instanceName, 'create-ok');
      });
    });

    describe('POST /verify-creds (global key only)', () => {
      it('refuses no key, an empty key, a wrong key and an instance token', async () => {
        assertUnauthorized(await server.call('POST', '/verify-creds', { apikey: null }), 'no key');
        assertUnauthorized(await server.call('POST', '/verify-creds', { apikey: '' }), 'empty key');
        assertUnauthorized(await server.call('POST', '/verify-creds', { apikey: WRONG_KEY }), 'wrong key');
        assertUnauthorized(await server.call('POST', '/verify-creds', { apikey: other.token }), 'instance token');
      });

      it('accepts the global key with the compat body', async () => {
        const res = await server.call('POST', '/verify-creds');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, {
          status: 200,
          message: 'Credentials are valid',
          facebookAppId: 'fb-app-1',
          facebookConfigId: 'fb-config-2',
          facebookUserToken: 'fb-user-3',
        });
      });
    });

    describe('GET /instance/fetchInstances', () => {
      let shared1: any;
      let shared2: any;
      let solo: any;
      const SHARED = 'shared-token-abcdef-123456';

      before(async () => {
        shared1 = await createInstance(server, { instanceName: 'fi-shared-1', token: SHARED });
        shared2 = await createInstance(server, { instanceName: 'fi-shared-2', token: SHARED });
        solo = await createInstance(server, { instanceName: 'fi-solo', token: 'fi-solo-token-987654' });
      });

      it('refuses no key and an empty key with the exact 401 body', async () => {
        assertUnauthorized(await server.call('GET', '/instance/fetchInstances', { apikey: null }), 'no key');
        assertUnauthorized(await server.call('GET', '/instance/fetchInstances', { apikey: '' }), 'empty key');
      });

      it('refuses an unknown key with the exact 401 body', async () => {
        assertUnauthorized(await server.call('GET', '/instance/fetchInstances', { apikey: WRONG_KEY }), 'unknown key');
      });

      it('refuses an unknown key with the exact 401 body even when a filter is given (auth before existence)', async () => {
        for (const query of ['instanceName=fi-solo', 'instanceName=nobody-here', `instanceId=${solo.instance.instanceId}`, 'instanceId=nope', 'number=5511000000000']) {
          assertUnauthorized(await server.call('GET', `/instance/fetchInstances?${query}`, { apikey: WRONG_KEY }), `unknown key ?${query}`);
        }
      });

      it('gives the global key every instance', async () => {
        const res = await server.call('GET', '/instance/fetchInstances');
        assert.equal(res.status, 200, res.text);
        const names = res.body.map((r: any) => r.name);
        for (const n of ['fi-shared-1', 'fi-shared-2', 'fi-solo', other.name]) assert.ok(names.includes(n), `${n} missing`);
      });

      it('gives an instance token only the instances holding that token', async () => {
        const res = await server.call('GET', '/instance/fetchInstances', { apikey: SHARED });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.map((r: any) => r.name).sort(), ['fi-shared-1', 'fi-shared-2']);
        for (const row of res.body) assert.equal(row.token, SHARED);
        const soloRes = await server.call('GET', '/instance/fetchInstances', { apikey: 'fi-solo-token-987654' });
        assert.equal(soloRes.status, 200, soloRes.text);
        assert.deepEqual(soloRes.body.map((r: any) => r.name), ['fi-solo']);
      });

      it('still honours ?instanceName= and ?instanceId= for an instance token', async () => {
        const byName = await server.call('GET', '/instance/fetchInstances?instanceName=fi-shared-2', { apikey: SHARED });
        assert.equal(byName.status, 200, byName.text);
        assert.deepEqual(byName.body.map((r: any) => r.name), ['fi-shared-2']);
        const byId = await server.call('GET', `/instance/fetchInstances?instanceId=${shared1.instance.instanceId}`, { apikey: SHARED });
        assert.equal(byId.status, 200, byId.text);
        assert.deepEqual(byId.body.map((r: any) => r.id), [shared1.instance.instanceId]);
        assert.equal(shared2.hash, SHARED);
      });

      it("never shows an instance token another instance's row, and does not reveal that it exists", async () => {
        const foreign = await server.call('GET', '/instance/fetchInstances?instanceName=fi-solo', { apikey: SHARED });
        const missing = await server.call('GET', '/instance/fetchInstances?instanceName=fi-nonexistent', { apikey: SHARED });
        assert.notEqual(foreign.status, 200, `a foreign instance must not be listed: ${foreign.text}`);
        assert.ok(!foreign.text.includes('fi-solo-token-987654'));
        assert.ok(!foreign.text.includes(solo.instance.instanceId));
        // Same answer as for a name that does not exist at all (modulo the name in the message).
        assert.equal(foreign.status, missing.status, `${foreign.text} vs ${missing.text}`);
        assert.equal(foreign.text.replace('fi-solo', 'NAME'), missing.text.replace('fi-nonexistent', 'NAME'));
        const foreignById = await server.call('GET', `/instance/fetchInstances?instanceId=${solo.instance.instanceId}`, { apikey: SHARED });
        assert.notEqual(foreignById.status, 200, foreignById.text);
        assert.ok(!foreignById.text.includes('fi-solo-token-987654'));
      });

      it('refuses the global key used as a ?instanceName filter value trick (key only from the header)', async () => {
        const res = await server.call('GET', `/instance/fetchInstances?apikey=${TEST_API_KEY}`, { apikey: null });
        assertUnauthorized(res, 'key in the query string');
      });
    });

    describe('unguarded routes', () => {
      for (const apikey of [null, WRONG_KEY]) {
        const who = apikey === null ? 'without a key' : 'with a wrong key';

        it(`GET / answers ${who}`, async () => {
          const res = await server.call('GET', '/', { apikey });
          assert.equal(res.status, 200, res.text);
          assert.equal(res.body.status, 200);
          assert.equal(res.body.message, 'Welcome to the Evolution API, it is working!');
          assert.equal(res.body.version, '2.3.6');
        });

        it(`GET /health answers ${who}`, async () => {
          const res = await server.call('GET', '/health', { apikey });
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.body, { status: 'ok' });
        });

        it(`GET /ready answers ${who}`, async () => {
          const res = await server.call('GET', '/ready', { apikey });
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.body, { status: 'ready' });
        });

        it(`GET /docs/openapi.json answers ${who}`, async () => {
          const res = await server.call('GET', '/docs/openapi.json', { apikey });
          assert.equal(res.status, 200, res.text);
          assert.equal(res.body.openapi, '3.1.0');
          assert.ok(res.body.paths['/instance/create'], 'the spec documents the routes');
        });
      }

      it('a guarded route does not leak whether a global key is "close" (same 401 for every wrong key)', async () => {
        const a = await server.call('POST', '/verify-creds', { apikey: 'a' });
        const b = await server.call('POST', '/verify-creds', { apikey: TEST_API_KEY.slice(0, -1) });
        assert.equal(a.text, b.text);
        assert.deepEqual(a.body, UNAUTHORIZED);
      });
    });
  });
}
