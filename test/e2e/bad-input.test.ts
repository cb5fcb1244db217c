// Hostile and malformed client input end to end (compat §1, §1.1, §3.2-3.4, §4.2): every rejection is Evolution's
// error envelope naming the offending field, never a 500, and a rejected create leaves nothing behind.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeChannel } from '../fakes/fake-channel.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, TEST_API_KEY, type CallResult, type TestServer } from '../helpers/server.js';

const PRESENCE_ENUM = 'available,unavailable,composing,recording,paused';
const PROTOCOL_ENUM = 'http,https,socks4,socks5';
const SETTINGS_BOOLEANS = ['rejectCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory'] as const;
const VALID_SETTINGS = {
  rejectCall: false, msgCall: '', groupsIgnore: false, alwaysOnline: false,
  readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '',
};

/** All messages of an error body joined, for `includes` checks. */
function messages(res: CallResult): string[] {
  const m = res.body?.response?.message;
  return Array.isArray(m) ? m.map((x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x))) : [String(m)];
}

/** Never a 500, always the envelope. */
function assertClientError(res: CallResult, status: number, includes?: string | RegExp, context = ''): void {
  const where = context === '' ? '' : `${context}: `;
  assert.notEqual(res.status, 500, `${where}client input must never cause a 500: ${res.text}`);
  assert.ok(
    res.body !== null && typeof res.body === 'object' && ['error', 'response', 'status'].every((k) => k in res.body) && Object.keys(res.body).length === 3,
    `${where}must be the Evolution envelope {status, error, response}: ${res.status} ${res.text.slice(0, 300)}`,
  );
  assertEvolutionError(res, status, includes);
}

/** A request sent byte-for-byte (fetch would normalise `%2e%2e` and refuse some paths). */
function rawRequest(server: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { apikey: TEST_API_KEY, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = text;
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: h });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

interface BodyRoute {
  label: string;
  path: () => string;
  /** A valid body; `n` makes create bodies unique. */
  valid: (n: number) => Record<string, unknown>;
  okStatus: number;
  /** Fields whose absence is rejected, with the message naming each. */
  required: Array<[field: string, message: string]>;
  /** [description, body patch, expected message (substring)]. */
  wrongTypes: Array<[string, Record<string, unknown>, string]>;
  /** String fields a NUL character can be smuggled into. */
  stringFields: string[];
}

for (const kind of databaseKinds()) {
  describe(`bad input [${kind.name}]`, () => {
    let server: TestServer;
    const fake = new FakeChannel('WHATSAPP-BAILEYS');
    const OPEN = 'bi-open';
    const CLOSED = 'bi-closed';
    let seq = 0;
    const next = () => ++seq;

    async function instanceNames(): Promise<string[]> {
      const res = await server.call('GET', '/instance/fetchInstances');
      assert.equal(res.status, 200, res.text);
      return res.body.map((r: any) => r.name).sort();
    }

    async function assertNotCreated(name: unknown, before: string[]): Promise<void> {
      assert.deepEqual(await instanceNames(), before, `a rejected create of ${JSON.stringify(name)} must leave nothing behind`);
      if (typeof name === 'string' && name !== '') {
        const byName = await server.call('GET', `/instance/fetchInstances?instanceName=${encodeURIComponent(name)}`);
        assert.equal(byName.status, 404, `${JSON.stringify(name)} must not be listed: ${byName.text}`);
      }
    }

    before(async () => {
      server = await startTestServer(kind, { channels: [fake] });
      await createInstance(server, { instanceName: OPEN, token: 'bi-open-token-0001' });
      await createInstance(server, { instanceName: CLOSED, token: 'bi-closed-token-0002' });
      const qr = await server.call('GET', `/instance/connect/${OPEN}`);
      assert.equal(qr.status, 200, qr.text);
      await fake.pair(OPEN);
    });
    after(() => server.close());

    const bodyRoutes: BodyRoute[] = [
      {
        label: 'POST /instance/create',
        path: () => '/instance/create',
        valid: (n) => ({ instanceName: `bi-create-${n}`, integration: 'WHATSAPP-BAILEYS' }),
        okStatus: 201,
        required: [
          ['instanceName', 'instance requires property "instanceName"'],
          ['integration', 'Invalid integration'],
        ],
        wrongTypes: [
          ['instanceName number', { instanceName: 123 }, 'instanceName is not of a type(s) string'],
          ['instanceName null', { instanceName: null }, 'instanceName is not of a type(s) string'],
          ['instanceName array', { instanceName: ['a'] }, 'instanceName is not of a type(s) string'],
          ['integration number', { integration: 5 }, 'Invalid integration'],
          ['integration unknown', { integration: 'TELEGRAM' }, 'Invalid integration'],
          ['integration lower case', { integration: 'whatsapp-baileys' }, 'Invalid integration'],
          ['integration empty', { integration: '' }, 'Invalid integration'],
          ['token number', { token: 5 }, 'token is not of a type(s) string'],
          ['token empty', { token: '' }, 'The "token" cannot be empty'],
          ['qrcode string', { qrcode: 'yes' }, 'qrcode is not of a type(s) boolean'],
          ['rejectCall string', { rejectCall: 'true' }, 'rejectCall is not of a type(s) boolean'],
          ['groupsIgnore number', { groupsIgnore: 1 }, 'groupsIgnore is not of a type(s) boolean'],
          ['alwaysOnline string', { alwaysOnline: 'false' }, 'alwaysOnline is not of a type(s) boolean'],
          ['readMessages null', { readMessages: null }, 'readMessages is not of a type(s) boolean'],
          ['readStatus array', { readStatus: [] }, 'readStatus is not of a type(s) boolean'],
          ['syncFullHistory object', { syncFullHistory: {} }, 'syncFullHistory is not of a type(s) boolean'],
          ['msgCall number', { msgCall: 5 }, 'msgCall is not of a type(s) string'],
          ['wavoipToken boolean', { wavoipToken: true }, 'wavoipToken is not of a type(s) string'],
          ['businessId number', { businessId: 5 }, 'businessId is not of a type(s) string'],
          ['status unknown', { status: 'foo' }, 'status is not one of enum values: open,connecting,close'],
          ['number letters', { number: 'abc' }, 'number'],
          ['number as number', { number: 5511999999999 }, 'number is not of a type(s) string'],
          ['proxyProtocol ftp', { proxyHost: 'proxy.example.com', proxyPort: '3128', proxyProtocol: 'ftp' }, `proxyProtocol is not one of enum values: ${PROTOCOL_ENUM}`],
          ['proxyHost with scheme', { proxyHost: 'http://proxy.example.com', proxyPort: '3128', proxyProtocol: 'http' }, 'proxyHost'],
          ['proxyHost with path', { proxyHost: 'proxy.example.com/x', proxyPort: '3128', proxyProtocol: 'http' }, 'proxyHost'],
          ['proxyPort 0', { proxyHost: 'proxy.example.com', proxyPort: 0, proxyProtocol: 'http' }, 'proxyPort'],
          ['proxyPort 70000', { proxyHost: 'proxy.example.com', proxyPort: '70000', proxyProtocol: 'http' }, 'proxyPort'],
          ['proxyPort boolean', { proxyHost: 'proxy.example.com', proxyPort: true, proxyProtocol: 'http' }, 'proxyPort'],
          ['proxyUsername number', { proxyUsername: 1 }, 'proxyUsername is not of a type(s) string'],
          ['chatwootAccountId boolean', { chatwootAccountId: true }, 'chatwootAccountId'],
          ['chatwootUrl number', { chatwootUrl: 1 }, 'chatwootUrl is not of a type(s) string'],
        ],
        stringFields: ['token', 'number', 'businessId', 'msgCall', 'wavoipToken', 'proxyUsername', 'proxyPassword'],
      },
      {
        label: 'POST /instance/setPresence/{i}',
        path: () => `/instance/setPresence/${OPEN}`,
        valid: () => ({ presence: 'available' }),
        okStatus: 201,
        required: [['presence', 'instance requires property "presence"']],
        wrongTypes: [
          ['presence unknown', { presence: 'busy' }, `presence is not one of enum values: ${PRESENCE_ENUM}`],
          ['presence upper case', { presence: 'AVAILABLE' }, `presence is not one of enum values: ${PRESENCE_ENUM}`],
          ['presence number', { presence: 1 }, 'presence'],
          ['presence null', { presence: null }, 'presence'],
        ],
        stringFields: [],
      },
      {
        label: 'POST /settings/set/{i}',
        path: () => `/settings/set/${CLOSED}`,
        valid: () => ({ ...VALID_SETTINGS }),
        okStatus: 201,
        required: SETTINGS_BOOLEANS.map((f) => [f, `instance requires property "${f}"`] as [string, string]),
        wrongTypes: [
          ...SETTINGS_BOOLEANS.map((f) => [`${f} string`, { [f]: 'true' }, `${f} is not of a type(s) boolean`] as [string, Record<string, unknown>, string]),
          ...SETTINGS_BOOLEANS.map((f) => [`${f} number`, { [f]: 0 }, `${f} is not of a type(s) boolean`] as [string, Record<string, unknown>, string]),
          ['msgCall number', { msgCall: 5 }, 'msgCall is not of a type(s) string'],
          ['msgCall object', { msgCall: { text: 'x' } }, 'msgCall is not of a type(s) string'],
          ['wavoipToken boolean', { wavoipToken: false }, 'wavoipToken is not of a type(s) string'],
        ],
        stringFields: ['msgCall', 'wavoipToken'],
      },
      {
        label: 'POST /proxy/set/{i}',
        path: () => `/proxy/set/${CLOSED}`,
        valid: () => ({ enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http' }),
        okStatus: 201,
        required: [
          ['enabled', 'instance requires property "enabled"'],
          ['host', 'instance requires property "host"'],
          ['port', 'instance requires property "port"'],
          ['protocol', 'instance requires property "protocol"'],
        ],
        wrongTypes: [
          ['enabled string', { enabled: 'true' }, 'enabled is not of a type(s) boolean'],
          ['enabled number', { enabled: 1 }, 'enabled is not of a type(s) boolean'],
          ['host number', { host: 5 }, 'host is not of a type(s) string'],
          ['host with scheme', { host: 'http://proxy.example.com' }, 'host'],
          ['port boolean', { port: true }, 'port'],
          ['port object', { port: { n: 1 } }, 'port'],
          ['port 0', { port: 0 }, 'port'],
          ['protocol number', { protocol: 5 }, 'protocol is not of a type(s) string'],
          ['protocol ftp', { protocol: 'ftp' }, `protocol is not one of enum values: ${PROTOCOL_ENUM}`],
          ['username number', { username: 5 }, 'username is not of a type(s) string'],
          ['password boolean', { password: true }, 'password is not of a type(s) string'],
        ],
        stringFields: ['username', 'password'],
      },
    ];

    for (const route of bodyRoutes) {
      describe(route.label, () => {
        it('accepts the valid body (baseline)', async () => {
          const res = await server.call('POST', route.path(), { body: route.valid(next()) });
          assert.equal(res.status, route.okStatus, res.text);
        });

        it('rejects malformed JSON with a 400 envelope', async () => {
          for (const raw of ['{bad', '{"a":', '{"a":1,}', "{'a':1}", '{"a":1}}', 'undefined', '\u0000']) {
            const before = await instanceNames();
            const res = await server.call('POST', route.path(), { rawBody: raw });
            assertClientError(res, 400, undefined, `raw ${JSON.stringify(raw)}`);
            assert.match(messages(res).join(' '), /JSON/, `the message should say the JSON is invalid: ${res.text}`);
            assert.deepEqual(await instanceNames(), before);
          }
        });

        it('rejects an empty body sent as application/json with a 400 envelope', async () => {
          const res = await server.call('POST', route.path(), { rawBody: '' });
          assertClientError(res, 400, 'the request body must be a JSON object');
        });

        it('rejects JSON that is not an object ([], "x", 42, null, true)', async () => {
          for (const raw of ['[]', '"x"', '42', 'null', 'true', JSON.stringify([route.valid(next())])]) {
            const res = await server.call('POST', route.path(), { rawBody: raw });
            assertClientError(res, 400, undefined, `raw ${raw}`);
            assert.deepEqual(res.body.response.message, ['the request body must be a JSON object'], `${raw}: ${res.text}`);
          }
        });

        it('rejects {} naming every required field', async () => {
          const res = await server.call('POST', route.path(), { body: {} });
          assertClientError(res, 400);
          // Only the schema's required fields: Evolution checks `integration` after the schema, and /proxy/set needs
          // host/port/protocol only once `enabled` is given.
          const schemaOnly = route.label.startsWith('POST /proxy') || route.path() === '/instance/create';
          const expected = schemaOnly ? [route.required[0]!] : route.required;
          for (const [, message] of expected) assert.ok(messages(res).includes(message), `missing "${message}" in ${res.text}`);
        });

        for (const [field, message] of route.required) {
          it(`rejects a body without "${field}": ${message}`, async () => {
            const before = await instanceNames();
            const body = route.valid(next());
            delete body[field];
            const res = await server.call('POST', route.path(), { body });
            assertClientError(res, 400);
            assert.ok(messages(res).includes(message), `expected exactly "${message}" among ${res.text}`);
            if (route.path() === '/instance/create') await assertNotCreated(body.instanceName, before);
          });
        }

        for (const [what, patch, message] of route.wrongTypes) {
          it(`rejects ${what} naming the field (${message})`, async () => {
            const before = await instanceNames();
            const body = { ...route.valid(next()), ...patch };
            const res = await server.call('POST', route.path(), { body });
            assertClientError(res, 400, message);
            if (route.path() === '/instance/create') await assertNotCreated(body.instanceName, before);
          });
        }

        it('accepts and ignores extra unknown properties (Evolution allows them)', async () => {
          const extra = {
            unknownField: 'x',
            nested: { deep: [1, 2, { a: null }] },
            Integration: 'NOT-AN-INTEGRATION',
            __parley_internal: true,
            id: 'forged-id',
            instanceId: 'forged-instance-id',
            createdAt: '1999-01-01T00:00:00.000Z',
          };
          const res = await server.call('POST', route.path(), { body: { ...route.valid(next()), ...extra } });
          assert.equal(res.status, route.okStatus, res.text);
          for (const key of Object.keys(extra)) assert.ok(!res.text.includes(`"${key}"`) || key === 'instanceId', `"${key}" must be ignored: ${res.text}`);
          assert.ok(!res.text.includes('forged'), `forged values must be ignored: ${res.text}`);
          assert.ok(!res.text.includes('1999-01-01'), res.text);
        });

        it('answers a __proto__ key without a 500 and without polluting anything', async () => {
          const before = await instanceNames();
          const valid = JSON.stringify(route.valid(next()));
          const raw = `${valid.slice(0, -1)},"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}`;
          const res = await server.call('POST', route.path(), { rawBody: raw });
          assert.notEqual(res.status, 500, res.text);
          if (res.status >= 400) assertClientError(res, res.status);
          assert.equal(({} as any).polluted, undefined);
          const after = await instanceNames();
          if (res.status >= 400) assert.deepEqual(after, before);
        });

        if (route.stringFields.length > 0) {
          it('never answers 500 for a NUL or control character in a free-text field; accepted values round-trip', async () => {
            const isCreate = route.path() === '/instance/create';
            for (const field of route.stringFields) {
              const value = `12a\u0000b\u0007c`;
              const body: Record<string, unknown> = { ...route.valid(next()), [field]: value };
              if (isCreate && field.startsWith('proxy')) Object.assign(body, { proxyHost: 'proxy.example.com', proxyPort: '3128', proxyProtocol: 'http' });
              const res = await server.call('POST', route.path(), { body });
              assert.notEqual(res.status, 500, `${field} with NUL caused a 500: ${res.text}`);
              if (res.status >= 400) {
                assertClientError(res, 400, field);
                continue;
              }
              assert.equal(res.status, route.okStatus, res.text);
              // Accepted: the exact value must come back (create: through fetchInstances, which shows every field).
              const shown = isCreate
                ? (await server.call('GET', `/instance/fetchInstances?instanceName=${String(body.instanceName)}`)).text
                : res.text;
              assert.ok(shown.includes(JSON.stringify(value).slice(1, -1)), `${field} must round-trip exactly: ${shown}`);
            }
          });
        }
      });
    }

    describe('routes without a body', () => {
      it('reject malformed JSON with a 400 envelope and change nothing', async () => {
        const victim = await createInstance(server, { instanceName: `bi-victim-${next()}` });
        const name = victim.instance.instanceName;
        for (const [method, path] of [
          ['POST', `/instance/restart/${OPEN}`],
          ['POST', '/verify-creds'],
          ['DELETE', `/instance/logout/${OPEN}`],
          ['DELETE', `/instance/delete/${name}`],
        ] as const) {
          const res = await server.call(method, path, { rawBody: '{bad' });
          assertClientError(res, 400, undefined, `${method} ${path}`);
        }
        assert.equal((await server.call('GET', `/instance/connectionState/${name}`)).status, 200, 'the instance must still exist');
        assert.equal((await server.call('GET', `/instance/connectionState/${OPEN}`)).body.instance.state, 'open', 'must still be open');
      });

      it('accept an empty body sent with content-type: application/json (Express body-parser reads it as {})', async () => {
        const victim = await createInstance(server, { instanceName: `bi-empty-${next()}` });
        const verify = await server.call('POST', '/verify-creds', { rawBody: '' });
        assert.equal(verify.status, 200, verify.text);
        const restart = await server.call('POST', `/instance/restart/${OPEN}`, { rawBody: '' });
        assert.equal(restart.status, 200, restart.text);
        assert.deepEqual(restart.body, { instance: { instanceName: OPEN, state: 'open' } });
        const del = await server.call('DELETE', `/instance/delete/${victim.instance.instanceName}`, { rawBody: '' });
        assert.equal(del.status, 200, del.text);
        assert.deepEqual(del.body, { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } });
      });
    });

    describe('content types', () => {
      it('accepts an application/x-www-form-urlencoded create (compat §1: JSON and urlencoded bodies)', async () => {
        const name = `bi-form-${next()}`;
        const res = await server.call('POST', '/instance/create', {
          rawBody: `instanceName=${name}&integration=WHATSAPP-BAILEYS&token=bi-form-token-${seq}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.instance.instanceName, name);
        assert.equal(res.body.hash, `bi-form-token-${seq}`);
      });

      it('answers an unsupported content type with a 415 envelope naming it, and creates nothing', async () => {
        const before = await instanceNames();
        const res = await server.call('POST', '/instance/create', {
          rawBody: '<instance><instanceName>bi-xml</instanceName></instance>',
          headers: { 'content-type': 'application/xml' },
        });
        assertClientError(res, 415, 'application/xml');
        assert.equal(res.body.error, 'Unsupported Media Type');
        assert.deepEqual(await instanceNames(), before);
      });

      it('answers a JSON document sent as text/plain with a 400 envelope', async () => {
        const res = await server.call('POST', '/instance/create', {
          rawBody: JSON.stringify({ instanceName: 'bi-text', integration: 'WHATSAPP-BAILEYS' }),
          headers: { 'content-type': 'text/plain' },
        });
        assert.notEqual(res.status, 500, res.text);
        assertClientError(res, res.status);
        assert.ok(res.status === 400 || res.status === 415, res.text);
      });
    });

    describe('query strings', () => {
      it('fetchInstances ignores unknown query keys', async () => {
        const res = await server.call('GET', '/instance/fetchInstances?foo=bar&instanceName=bi-open&x[y]=1');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.map((r: any) => r.name), [OPEN]);
      });

      for (const key of ['instanceName', 'instanceId', 'number']) {
        it(`fetchInstances rejects a repeated ?${key}= naming it`, async () => {
          const res = await server.call('GET', `/instance/fetchInstances?${key}=a&${key}=b`);
          assertClientError(res, 400, `${key} is not of a type(s) string`);
        });
      }

      it('fetchInstances answers a NUL in a filter as "not found", not 500', async () => {
        const res = await server.call('GET', '/instance/fetchInstances?instanceName=a%00b');
        assertClientError(res, 404, 'Instance "a\u0000b" not found');
        const byNumber = await server.call('GET', '/instance/fetchInstances?number=55%00');
        assertClientError(byNumber, 404);
        const byId = await server.call('GET', '/instance/fetchInstances?instanceId=%00');
        assertClientError(byId, 404);
      });

      it('connect rejects a pairing number that is not a phone number, naming it', async () => {
        for (const q of ['number=abc', 'number=123', 'number=5511999999999999999', 'number=55%2011999999999', 'number=a&number=b']) {
          const res = await server.call('GET', `/instance/connect/${CLOSED}?${q}`);
          assertClientError(res, 400, 'number');
        }
        const state = await server.call('GET', `/instance/connectionState/${CLOSED}`);
        assert.equal(state.body.instance.state, 'close', 'a rejected connect must not start connecting');
      });

      it('connect ignores unknown query keys', async () => {
        const name = `bi-connect-${next()}`;
        await createInstance(server, { instanceName: name });
        const res = await server.call('GET', `/instance/connect/${name}?foo=bar`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body).sort(), ['base64', 'code', 'count', 'pairingCode']);
      });
    });

    describe('hostile path parameters', () => {
      const routes: Array<[string, (i: string) => string]> = [
        ['GET', (i) => `/instance/connect/${i}`],
        ['POST', (i) => `/instance/restart/${i}`],
        ['GET', (i) => `/instance/connectionState/${i}`],
        ['DELETE', (i) => `/instance/logout/${i}`],
        ['DELETE', (i) => `/instance/delete/${i}`],
        ['GET', (i) => `/settings/find/${i}`],
        ['GET', (i) => `/proxy/find/${i}`],
      ];

      for (const [method, path] of routes) {
        it(`${method} ${path('{i}')}: encoded hostile names are "does not exist" (global key) or 401 (other keys), never 500`, async () => {
          for (const [encoded, decoded] of [
            ['..%2Fetc', '../etc'],
            ['a%2Fb', 'a/b'],
            ['a%00b', 'a\u0000b'],
            ['%E2%80%AEevil', '\u202eevil'],
            ['a%0Ab', 'a\nb'],
          ] as const) {
            const res = await rawRequest(server, method, path(encoded));
            assertClientError(res, 404, undefined, `global key, ${encoded}`);
            assert.deepEqual(res.body.response.message, [`The "${decoded}" instance does not exist`]);
            const wrong = await rawRequest(server, method, path(encoded), { apikey: 'wrong-key-123' });
            assert.equal(wrong.status, 401, `${encoded} with a wrong key: ${wrong.text}`);
            assert.deepEqual(wrong.body, { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
          }
        });

        it(`${method} ${path('{i}')}: undecodable and over-long names get an Evolution envelope, never 500`, async () => {
          const bad = await rawRequest(server, method, path('a%ZZ'));
          assertClientError(bad, 400, undefined, 'undecodable a%ZZ');
          const long = await rawRequest(server, method, path('a'.repeat(5000)));
          assert.ok([400, 404, 414].includes(long.status), long.text);
          assertClientError(long, long.status, undefined, '5000-character name');
          const dots = await rawRequest(server, method, path('%2e%2e'));
          assertClientError(dots, 404, undefined, '%2e%2e');
        });
      }

      it('an empty instance name is an unknown route', async () => {
        const res = await server.call('GET', '/instance/connectionState/');
        assertClientError(res, 404);
        assert.deepEqual(res.body.response.message, ['Cannot GET /instance/connectionState/']);
      });
    });

    describe('unknown routes', () => {
      for (const [method, path, expected] of [
        ['GET', '/x', 'Cannot GET /x'],
        ['GET', '/x?y=1', 'Cannot GET /x'],
        ['POST', '/instance/nope', 'Cannot POST /instance/nope'],
        ['DELETE', '/instance/create', 'Cannot DELETE /instance/create'],
        ['PUT', `/settings/set/${CLOSED}`, `Cannot PUT /settings/set/${CLOSED}`],
        ['GET', '/message/sendText', 'Cannot GET /message/sendText'],
      ] as const) {
        it(`${method} ${path} → 404 "${expected}" with or without a key`, async () => {
          for (const apikey of [undefined, null, 'wrong-key']) {
            const res = await server.call(method, path, { apikey });
            assertClientError(res, 404);
            assert.deepEqual(res.body.response.message, [expected]);
          }
        });
      }
    });

    describe('hostile instance names on create', () => {
      const hostile: Array<[string, string]> = [
        ['../etc', 'path traversal'],
        ['a/b', 'slash'],
        ['a\\b', 'backslash'],
        ['a.b', 'dot (broker routing keys)'],
        ['..', 'dot-dot'],
        ['a b', 'space'],
        [' a', 'leading space'],
        ['a ', 'trailing space'],
        [' ', 'only a space'],
        ['*', 'NATS wildcard *'],
        ['>', 'NATS wildcard >'],
        ['#', 'MQTT wildcard #'],
        ['+', 'MQTT wildcard +'],
        ['a'.repeat(65), '65 characters'],
        ['a'.repeat(1000), '1000 characters'],
        ['ç'.repeat(65), '65 unicode letters'],
        ['a\u0000b', 'NUL'],
        ['a\u0007b', 'BEL'],
        ['a\nb', 'newline'],
        ['a\rb', 'carriage return'],
        ['a\tb', 'tab'],
        ['a\u001bb', 'ESC'],
        ['a\u007fb', 'DEL'],
        ['a\u0085b', 'NEL (C1)'],
        ['a\u200bb', 'zero-width space'],
        ['a\u202eb', 'right-to-left override'],
        ['\ufeffa', 'byte-order mark'],
        ['%2e%2e', 'percent-encoded dot-dot'],
        ['a%2Fb', 'percent-encoded slash'],
        ['-a', 'leading dash'],
        ['_a', 'leading underscore'],
        ['a:b', 'colon'],
        ['a?b', 'question mark'],
        ['a&b', 'ampersand'],
        ['<script>', 'markup'],
        ['a"b', 'double quote'],
        ["a'b", 'single quote'],
        ['😀', 'emoji'],
      ];

      for (const [name, what] of hostile) {
        it(`rejects ${what} (${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…×${name.length}` : name)}) naming instanceName, and creates nothing`, async () => {
          const before = await instanceNames();
          const res = await server.call('POST', '/instance/create', { body: { instanceName: name, integration: 'WHATSAPP-BAILEYS' } });
          assertClientError(res, 400, 'instanceName');
          await assertNotCreated(name, before);
        });
      }

      it('rejects an empty name with "The \\"instanceName\\" cannot be empty"', async () => {
        const before = await instanceNames();
        const res = await server.call('POST', '/instance/create', { body: { instanceName: '', integration: 'WHATSAPP-BAILEYS' } });
        assertClientError(res, 400, 'The "instanceName" cannot be empty');
        await assertNotCreated('', before);
      });

      for (const name of ['instância_1', 'Ωmega-2', '名前', 'ação', '٣٤five', 'A1', '9lives', 'a'.repeat(64), 'ç'.repeat(64), 'x-_-y']) {
        it(`accepts the valid name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}…×${name.length}` : name)} and serves it on every path`, async () => {
          const res = await server.call('POST', '/instance/create', { body: { instanceName: name, integration: 'WHATSAPP-BAILEYS' } });
          assert.equal(res.status, 201, res.text);
          assert.equal(res.body.instance.instanceName, name);
          const enc = encodeURIComponent(name);
          const state = await server.call('GET', `/instance/connectionState/${enc}`);
          assert.equal(state.status, 200, state.text);
          assert.deepEqual(state.body, { instance: { instanceName: name, state: 'close' } });
          const byToken = await server.call('GET', `/settings/find/${enc}`, { apikey: res.body.hash });
          assert.equal(byToken.status, 200, byToken.text);
          const listed = await server.call('GET', `/instance/fetchInstances?instanceName=${enc}`);
          assert.equal(listed.status, 200, listed.text);
          assert.deepEqual(listed.body.map((r: any) => r.name), [name]);
          const dup = await server.call('POST', '/instance/create', { body: { instanceName: name, integration: 'WHATSAPP-BAILEYS' } });
          assertClientError(dup, 403, `This name "${name}" is already in use.`);
        });
      }
    });

    describe('no half-written state after a rejected create', () => {
      const rejected: Array<[string, Record<string, unknown>, number, string]> = [
        ['missing integration', { instanceName: 'hw-nointeg' }, 400, 'Invalid integration'],
        ['BUSINESS without token', { instanceName: 'hw-biz1', integration: 'WHATSAPP-BUSINESS', number: '123456' }, 400, 'token is required'],
        ['BUSINESS without number', { instanceName: 'hw-biz2', integration: 'WHATSAPP-BUSINESS', token: 'EAAG-x' }, 400, 'number is required'],
        ['EVOLUTION without number', { instanceName: 'hw-evo', integration: 'EVOLUTION' }, 400, 'number is required'],
        ['the global key as token', { instanceName: 'hw-global', integration: 'WHATSAPP-BAILEYS', token: TEST_API_KEY }, 400, 'token must not be the global API key'],
        ['Chatwoot fields', { instanceName: 'hw-cw', integration: 'WHATSAPP-BAILEYS', chatwootAccountId: 1, chatwootToken: 't', chatwootUrl: 'http://cw' }, 400, 'Chatwoot is disabled'],
        ['an invalid proxy', { instanceName: 'hw-proxy', integration: 'WHATSAPP-BAILEYS', proxyHost: 'proxy.example.com', proxyPort: '3128', proxyProtocol: 'gopher' }, 400, 'proxyProtocol'],
        ['an invalid setting', { instanceName: 'hw-setting', integration: 'WHATSAPP-BAILEYS', rejectCall: 'yes' }, 400, 'rejectCall is not of a type(s) boolean'],
      ];

      for (const [what, body, status, message] of rejected) {
        it(`${what} → ${status} "${message}" and nothing stored`, async () => {
          const before = await instanceNames();
          const res = await server.call('POST', '/instance/create', { body });
          assertClientError(res, status, message);
          await assertNotCreated(body.instanceName, before);
          // The name is still free: a valid create with it succeeds afterwards.
          const ok = await server.call('POST', '/instance/create', { body: { instanceName: body.instanceName, integration: 'WHATSAPP-BAILEYS' } });
          assert.equal(ok.status, 201, `the name must still be free: ${ok.text}`);
        });
      }

      it('a create refused for a taken name leaves the existing instance untouched', async () => {
        const original = await createInstance(server, { instanceName: 'hw-taken', token: 'hw-taken-token-1', rejectCall: true, msgCall: 'orig' });
        const before = await server.call('GET', '/instance/fetchInstances?instanceName=hw-taken');
        const res = await server.call('POST', '/instance/create', {
          body: {
            instanceName: 'hw-taken', integration: 'WHATSAPP-BAILEYS', token: 'hw-taken-token-2', rejectCall: false, msgCall: 'new',
            proxyHost: 'proxy.example.com', proxyPort: '3128', proxyProtocol: 'http',
          },
        });
        assertClientError(res, 403, 'This name "hw-taken" is already in use.');
        const after = await server.call('GET', '/instance/fetchInstances?instanceName=hw-taken');
        assert.deepEqual(after.body, before.body);
        assert.equal(after.body[0].token, original.hash);
        assert.equal(after.body[0].Proxy, null);
        assertEvolutionError(await server.call('GET', '/instance/connectionState/hw-taken', { apikey: 'hw-taken-token-2' }), 401);
      });
    });
  });

  describe(`oversized bodies [${kind.name}]`, () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer(kind, { env: { PARLEY_BODY_LIMIT_MB: '1' } });
      await createInstance(server, { instanceName: 'big-target' });
    });
    after(() => server.close());

    const twoMb = 'x'.repeat(2 * 1024 * 1024);

    for (const [label, path, body] of [
      ['create', '/instance/create', { instanceName: 'big-create', integration: 'WHATSAPP-BAILEYS', msgCall: twoMb }],
      ['settings/set', '/settings/set/big-target', { ...VALID_SETTINGS, msgCall: twoMb }],
      ['proxy/set', '/proxy/set/big-target', { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', password: twoMb }],
      ['setPresence', '/instance/setPresence/big-target', { presence: 'available', padding: twoMb }],
    ] as const) {
      it(`${label}: a ~2 MB body over a 1 MB limit → 413 Evolution envelope`, async () => {
        const res = await server.call('POST', path, { body });
        assertClientError(res, 413, 'Request body is too large');
        assert.deepEqual(res.body, { status: 413, error: 'Payload Too Large', response: { message: ['Request body is too large'] } });
      });
    }

    it('stores nothing from a refused oversized body', async () => {
      const list = await server.call('GET', '/instance/fetchInstances');
      assert.deepEqual(list.body.map((r: any) => r.name), ['big-target']);
      const settings = await server.call('GET', '/settings/find/big-target');
      assert.equal(settings.body.msgCall, '');
      assert.equal((await server.call('GET', '/proxy/find/big-target')).text, 'null');
    });

    it('accepts a body just under the limit', async () => {
      const res = await server.call('POST', '/settings/set/big-target', { body: { ...VALID_SETTINGS, msgCall: 'y'.repeat(900 * 1024) } });
      assert.equal(res.status, 201, `${res.status}`);
      assert.equal(res.body.settings.settings.msgCall.length, 900 * 1024);
    });
  });
}
