// /settings/* and /proxy/* end to end (compat §3.3, §3.4, §4.2 proxy fields, §4.5 `Setting`/`Proxy`): response shapes
// field by field against the compat doc, defaults, blanking, validation, and what fetchInstances shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type CallResult, type TestServer } from '../helpers/server.js';

// Field lists as written in the compat doc.
/** §3.3 body / find response, in doc order. */
const SETTINGS_FIELDS = ['rejectCall', 'msgCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory', 'wavoipToken'];
const SETTINGS_BOOLEAN_FIELDS = ['rejectCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory'];
const SETTINGS_STRING_FIELDS = ['msgCall', 'wavoipToken'];
/** §4.5 `Setting` relation. */
const SETTING_ROW_FIELDS = ['id', ...SETTINGS_FIELDS, 'createdAt', 'updatedAt', 'instanceId'];
/** §3.4 set response `proxy.proxy`. */
const PROXY_SET_FIELDS = ['enabled', 'host', 'port', 'protocol', 'username', 'password'];
/** §3.4 find: the Proxy row. */
const PROXY_ROW_FIELDS = ['id', 'enabled', 'host', 'port', 'protocol', 'username', 'password', 'createdAt', 'updatedAt', 'instanceId'];
const PROTOCOL_ENUM = 'http,https,socks4,socks5';

const DEFAULT_SETTINGS = {
  rejectCall: false, msgCall: '', groupsIgnore: false, alwaysOnline: false,
  readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '',
};
const BLANK_PROXY = { enabled: false, host: '', port: '', protocol: '', username: '', password: '' };

const sorted = (keys: string[]) => [...keys].sort();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertSettingsValues(value: any, expected: Record<string, unknown>): void {
  assert.deepEqual(sorted(Object.keys(value)), sorted(SETTINGS_FIELDS));
  for (const f of SETTINGS_BOOLEAN_FIELDS) assert.equal(typeof value[f], 'boolean', `${f} must be a boolean`);
  for (const f of SETTINGS_STRING_FIELDS) assert.equal(typeof value[f], 'string', `${f} must be a string`);
  assert.deepEqual(value, expected);
}

function assertProxyRow(row: any, instanceId: string, expected: Record<string, unknown>): void {
  assert.deepEqual(sorted(Object.keys(row)), sorted(PROXY_ROW_FIELDS));
  assert.equal(typeof row.id, 'string');
  assert.ok(row.id.length > 0);
  assert.equal(row.instanceId, instanceId);
  assert.match(row.createdAt, ISO);
  assert.match(row.updatedAt, ISO);
  assert.equal(typeof row.enabled, 'boolean');
  for (const f of ['host', 'port', 'protocol', 'username', 'password']) assert.equal(typeof row[f], 'string', `${f} must be a string`);
  const values = Object.fromEntries(PROXY_SET_FIELDS.map((f) => [f, row[f]]));
  assert.deepEqual(values, expected);
}

function assertNullJson(res: CallResult): void {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.text, 'null');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

for (const kind of databaseKinds()) {
  describe(`settings [${kind.name}]`, () => {
    let server: TestServer;
    let seq = 0;

    async function fresh(extra: Record<string, unknown> = {}): Promise<{ name: string; id: string; token: string }> {
      seq += 1;
      const created = await createInstance(server, { instanceName: `st-${seq}`, ...extra });
      return { name: created.instance.instanceName, id: created.instance.instanceId, token: created.hash };
    }

    async function row(name: string): Promise<any> {
      const res = await server.call('GET', `/instance/fetchInstances?instanceName=${name}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 1);
      return res.body[0];
    }

    before(async () => {
      server = await startTestServer(kind);
    });
    after(() => server.close());

    it('set answers 201 {settings:{instanceName, settings:{8 fields}}}', async () => {
      const i = await fresh();
      const body = {
        rejectCall: true, msgCall: 'I do not take calls', groupsIgnore: true, alwaysOnline: false,
        readMessages: true, readStatus: false, syncFullHistory: true, wavoipToken: 'wv-123',
      };
      const res = await server.call('POST', `/settings/set/${i.name}`, { body });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body), ['settings']);
      assert.deepEqual(sorted(Object.keys(res.body.settings)), ['instanceName', 'settings']);
      assert.equal(res.body.settings.instanceName, i.name);
      assertSettingsValues(res.body.settings.settings, body);
    });

    it('find returns exactly the 8 fields, as stored by set', async () => {
      const i = await fresh();
      const body = {
        rejectCall: false, msgCall: 'later', groupsIgnore: true, alwaysOnline: true,
        readMessages: false, readStatus: true, syncFullHistory: false, wavoipToken: '',
      };
      assert.equal((await server.call('POST', `/settings/set/${i.name}`, { body })).status, 201);
      const res = await server.call('GET', `/settings/find/${i.name}`);
      assert.equal(res.status, 200, res.text);
      assertSettingsValues(res.body, body);
    });

    it('msgCall and wavoipToken default to "" when omitted', async () => {
      const i = await fresh();
      const body = { rejectCall: true, groupsIgnore: false, alwaysOnline: true, readMessages: false, readStatus: false, syncFullHistory: false };
      const res = await server.call('POST', `/settings/set/${i.name}`, { body });
      assert.equal(res.status, 201, res.text);
      assertSettingsValues(res.body.settings.settings, { ...body, msgCall: '', wavoipToken: '' });
      const found = await server.call('GET', `/settings/find/${i.name}`);
      assertSettingsValues(found.body, { ...body, msgCall: '', wavoipToken: '' });
    });

    it('find on a new instance returns the create defaults (booleans false, strings "")', async () => {
      const i = await fresh();
      const res = await server.call('GET', `/settings/find/${i.name}`);
      assert.equal(res.status, 200, res.text);
      assertSettingsValues(res.body, DEFAULT_SETTINGS);
    });

    it('settings given at create are what find returns', async () => {
      const i = await fresh({ rejectCall: true, msgCall: 'busy', readStatus: true, wavoipToken: 'w1' });
      const res = await server.call('GET', `/settings/find/${i.name}`);
      assertSettingsValues(res.body, { ...DEFAULT_SETTINGS, rejectCall: true, msgCall: 'busy', readStatus: true, wavoipToken: 'w1' });
    });

    it('a second set replaces every value; the Setting row keeps its id, createdAt and instanceId', async () => {
      const i = await fresh();
      const first = { ...DEFAULT_SETTINGS, rejectCall: true, msgCall: 'one', syncFullHistory: true };
      const second = { ...DEFAULT_SETTINGS, groupsIgnore: true, msgCall: 'two', wavoipToken: 'tok' };
      await server.call('POST', `/settings/set/${i.name}`, { body: first });
      const before = (await row(i.name)).Setting;
      const res = await server.call('POST', `/settings/set/${i.name}`, { body: second });
      assert.equal(res.status, 201, res.text);
      assertSettingsValues(res.body.settings.settings, second);
      assertSettingsValues((await server.call('GET', `/settings/find/${i.name}`)).body, second);
      const after = (await row(i.name)).Setting;
      assert.equal(after.id, before.id);
      assert.equal(after.createdAt, before.createdAt);
      assert.equal(after.instanceId, i.id);
    });

    it('fetchInstances shows the Setting row with the compat §4.5 fields', async () => {
      const i = await fresh();
      const body = { ...DEFAULT_SETTINGS, readMessages: true, msgCall: 'hi' };
      await server.call('POST', `/settings/set/${i.name}`, { body });
      const setting = (await row(i.name)).Setting;
      assert.deepEqual(sorted(Object.keys(setting)), sorted(SETTING_ROW_FIELDS));
      assert.equal(setting.instanceId, i.id);
      assert.equal(typeof setting.id, 'string');
      assert.match(setting.createdAt, ISO);
      assert.match(setting.updatedAt, ISO);
      assertSettingsValues(Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, setting[f]])), body);
    });

    it('ignores extra properties: not stored, not echoed', async () => {
      const i = await fresh();
      const res = await server.call('POST', `/settings/set/${i.name}`, {
        body: { ...DEFAULT_SETTINGS, rejectCall: true, ignoreStatus: true, instanceName: 'someone-else', id: 'forged', settings: { a: 1 } },
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.settings.instanceName, i.name);
      assertSettingsValues(res.body.settings.settings, { ...DEFAULT_SETTINGS, rejectCall: true });
      assertSettingsValues((await server.call('GET', `/settings/find/${i.name}`)).body, { ...DEFAULT_SETTINGS, rejectCall: true });
      assert.notEqual((await row(i.name)).Setting.id, 'forged');
    });

    it('a rejected set changes nothing', async () => {
      const i = await fresh({ rejectCall: true, msgCall: 'keep' });
      const res = await server.call('POST', `/settings/set/${i.name}`, { body: { ...DEFAULT_SETTINGS, groupsIgnore: 'yes', msgCall: 'changed' } });
      assertEvolutionError(res, 400, 'groupsIgnore is not of a type(s) boolean');
      assertSettingsValues((await server.call('GET', `/settings/find/${i.name}`)).body, { ...DEFAULT_SETTINGS, rejectCall: true, msgCall: 'keep' });
    });

    it('settings are per instance', async () => {
      const a = await fresh();
      const b = await fresh();
      await server.call('POST', `/settings/set/${a.name}`, { body: { ...DEFAULT_SETTINGS, alwaysOnline: true, msgCall: 'a' } });
      assertSettingsValues((await server.call('GET', `/settings/find/${b.name}`)).body, DEFAULT_SETTINGS);
    });

    it('the instance token can set and find its own settings', async () => {
      const i = await fresh();
      const body = { ...DEFAULT_SETTINGS, readStatus: true };
      const res = await server.call('POST', `/settings/set/${i.name}`, { apikey: i.token, body });
      assert.equal(res.status, 201, res.text);
      assertSettingsValues((await server.call('GET', `/settings/find/${i.name}`, { apikey: i.token })).body, body);
    });

    it('settings of a deleted instance are gone (404)', async () => {
      const i = await fresh({ rejectCall: true });
      assert.equal((await server.call('DELETE', `/instance/delete/${i.name}`)).status, 200);
      assertEvolutionError(await server.call('GET', `/settings/find/${i.name}`), 404, `The "${i.name}" instance does not exist`);
      assertEvolutionError(await server.call('POST', `/settings/set/${i.name}`, { body: DEFAULT_SETTINGS }), 404, `The "${i.name}" instance does not exist`);
      // A new instance with the same name starts from the defaults.
      const again = await createInstance(server, { instanceName: i.name });
      assert.deepEqual(again.settings, DEFAULT_SETTINGS);
      assertSettingsValues((await server.call('GET', `/settings/find/${i.name}`)).body, DEFAULT_SETTINGS);
    });
  });

  describe(`proxy [${kind.name}]`, () => {
    let server: TestServer;
    let seq = 0;

    async function fresh(extra: Record<string, unknown> = {}): Promise<{ name: string; id: string; token: string }> {
      seq += 1;
      const created = await createInstance(server, { instanceName: `px-${seq}`, ...extra });
      return { name: created.instance.instanceName, id: created.instance.instanceId, token: created.hash };
    }

    async function row(name: string): Promise<any> {
      const res = await server.call('GET', `/instance/fetchInstances?instanceName=${name}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 1);
      return res.body[0];
    }

    async function setProxy(name: string, body: unknown): Promise<CallResult> {
      return server.call('POST', `/proxy/set/${name}`, { body });
    }

    before(async () => {
      server = await startTestServer(kind);
    });
    after(() => server.close());

    it('find answers JSON null when no proxy was ever set; fetchInstances shows Proxy: null', async () => {
      const i = await fresh();
      assertNullJson(await server.call('GET', `/proxy/find/${i.name}`));
      assert.equal((await row(i.name)).Proxy, null);
    });

    it('set answers 201 {proxy:{instanceName, proxy:{enabled,host,port,protocol,username,password}}}', async () => {
      const i = await fresh();
      const body = { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'alice', password: 's3cret' };
      const res = await setProxy(i.name, body);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body), ['proxy']);
      assert.deepEqual(sorted(Object.keys(res.body.proxy)), ['instanceName', 'proxy']);
      assert.equal(res.body.proxy.instanceName, i.name);
      assert.deepEqual(sorted(Object.keys(res.body.proxy.proxy)), sorted(PROXY_SET_FIELDS));
      assert.deepEqual(res.body.proxy.proxy, body);
    });

    it('find returns the Proxy row {id, enabled, host, port, protocol, username, password, createdAt, updatedAt, instanceId}', async () => {
      const i = await fresh();
      const body = { enabled: true, host: '10.1.2.3', port: '1080', protocol: 'socks5', username: 'u', password: 'p' };
      await setProxy(i.name, body);
      const res = await server.call('GET', `/proxy/find/${i.name}`);
      assert.equal(res.status, 200, res.text);
      assertProxyRow(res.body, i.id, body);
    });

    it('username and password default to "" when omitted', async () => {
      const i = await fresh();
      const res = await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: '8080', protocol: 'https' });
      assert.equal(res.status, 201, res.text);
      const expected = { enabled: true, host: 'proxy.example.com', port: '8080', protocol: 'https', username: '', password: '' };
      assert.deepEqual(res.body.proxy.proxy, expected);
      assertProxyRow((await server.call('GET', `/proxy/find/${i.name}`)).body, i.id, expected);
    });

    it('accepts the port as a string or a number and stores it as a string', async () => {
      const i = await fresh();
      const asNumber = await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: 8080, protocol: 'http' });
      assert.equal(asNumber.status, 201, asNumber.text);
      assert.equal(asNumber.body.proxy.proxy.port, '8080');
      assert.equal((await server.call('GET', `/proxy/find/${i.name}`)).body.port, '8080');
      const asString = await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http' });
      assert.equal(asString.body.proxy.proxy.port, '3128');
      assert.equal((await server.call('GET', `/proxy/find/${i.name}`)).body.port, '3128');
      for (const port of [1, 65535, '1', '65535']) {
        const res = await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port, protocol: 'http' });
        assert.equal(res.status, 201, `port ${JSON.stringify(port)}: ${res.text}`);
        assert.equal(res.body.proxy.proxy.port, String(port));
      }
    });

    for (const protocol of ['http', 'https', 'socks4', 'socks5']) {
      it(`accepts protocol ${protocol}`, async () => {
        const i = await fresh();
        const res = await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: '1080', protocol });
        assert.equal(res.status, 201, res.text);
        assert.equal((await server.call('GET', `/proxy/find/${i.name}`)).body.protocol, protocol);
      });
    }

    for (const host of ['proxy.example.com', 'localhost', '192.168.0.10', '2001:db8::1', 'my-proxy-01.internal']) {
      it(`accepts host ${host}`, async () => {
        const i = await fresh();
        const res = await setProxy(i.name, { enabled: true, host, port: '3128', protocol: 'http' });
        assert.equal(res.status, 201, res.text);
        assert.equal((await server.call('GET', `/proxy/find/${i.name}`)).body.host, host);
      });
    }

    it('enabled:false blanks every field, in the answer, in find and in fetchInstances', async () => {
      const i = await fresh();
      await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'u', password: 'p' });
      const before = (await server.call('GET', `/proxy/find/${i.name}`)).body;
      const res = await setProxy(i.name, { enabled: false, host: 'other.example.com', port: '9999', protocol: 'socks5', username: 'x', password: 'y' });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { proxy: { instanceName: i.name, proxy: BLANK_PROXY } });
      const found = (await server.call('GET', `/proxy/find/${i.name}`)).body;
      assertProxyRow(found, i.id, BLANK_PROXY);
      assert.equal(found.id, before.id, 'the row is updated, not replaced');
      assert.equal(found.createdAt, before.createdAt);
      assert.deepEqual((await row(i.name)).Proxy, found);
    });

    it('enabled:false alone is enough (no host/port/protocol needed)', async () => {
      const i = await fresh();
      const res = await setProxy(i.name, { enabled: false });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { proxy: { instanceName: i.name, proxy: BLANK_PROXY } });
      assertProxyRow((await server.call('GET', `/proxy/find/${i.name}`)).body, i.id, BLANK_PROXY);
    });

    it('a second set replaces the values; id, createdAt and instanceId stay', async () => {
      const i = await fresh();
      await setProxy(i.name, { enabled: true, host: 'a.example.com', port: '1111', protocol: 'http', username: 'ua', password: 'pa' });
      const first = (await server.call('GET', `/proxy/find/${i.name}`)).body;
      const second = { enabled: true, host: 'b.example.com', port: '2222', protocol: 'socks4', username: '', password: '' };
      await setProxy(i.name, second);
      const found = (await server.call('GET', `/proxy/find/${i.name}`)).body;
      assertProxyRow(found, i.id, second);
      assert.equal(found.id, first.id);
      assert.equal(found.createdAt, first.createdAt);
    });

    it('fetchInstances shows the same Proxy row that find returns', async () => {
      const i = await fresh();
      await setProxy(i.name, { enabled: true, host: 'proxy.example.com', port: 3128, protocol: 'http', username: 'u', password: 'p' });
      const found = (await server.call('GET', `/proxy/find/${i.name}`)).body;
      assert.deepEqual((await row(i.name)).Proxy, found);
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['host with a scheme', { host: 'http://proxy.example.com' }, 'host'],
      ['host with a path', { host: 'proxy.example.com/path' }, 'host'],
      ['host with a port', { host: 'proxy.example.com:3128' }, 'host'],
      ['host with credentials', { host: 'user:pw@proxy.example.com' }, 'host'],
      ['host with a space', { host: 'proxy example.com' }, 'host'],
      ['empty host', { host: '' }, 'instance requires property "host"'],
      ['missing host', { host: undefined }, 'instance requires property "host"'],
      ['port 0', { port: 0 }, 'port'],
      ['port "0"', { port: '0' }, 'port'],
      ['port 70000', { port: 70000 }, 'port'],
      ['port "70000"', { port: '70000' }, 'port'],
      ['port 65536', { port: 65536 }, 'port'],
      ['port "abc"', { port: 'abc' }, 'port'],
      ['port "3128abc"', { port: '3128abc' }, 'port'],
      ['port -1', { port: -1 }, 'port'],
      ['port 1.5', { port: 1.5 }, 'port'],
      ['empty port', { port: '' }, 'instance requires property "port"'],
      ['missing port', { port: undefined }, 'instance requires property "port"'],
      ['protocol ftp', { protocol: 'ftp' }, `protocol is not one of enum values: ${PROTOCOL_ENUM}`],
      ['protocol socks', { protocol: 'socks' }, `protocol is not one of enum values: ${PROTOCOL_ENUM}`],
      ['protocol HTTP (case)', { protocol: 'HTTP' }, `protocol is not one of enum values: ${PROTOCOL_ENUM}`],
      ['empty protocol', { protocol: '' }, 'instance requires property "protocol"'],
      ['missing enabled', { enabled: undefined }, 'instance requires property "enabled"'],
    ];

    for (const [what, patch, message] of invalid) {
      it(`rejects ${what} → 400 naming the field ("${message}"), and keeps the stored proxy`, async () => {
        const i = await fresh();
        const good = { enabled: true, host: 'keep.example.com', port: '3128', protocol: 'http', username: 'k', password: 'k' };
        await setProxy(i.name, good);
        const before = (await server.call('GET', `/proxy/find/${i.name}`)).body;
        const body: Record<string, unknown> = { enabled: true, host: 'proxy.example.com', port: '8080', protocol: 'http', ...patch };
        for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
        const res = await setProxy(i.name, body);
        assertEvolutionError(res, 400, message);
        assert.deepEqual((await server.call('GET', `/proxy/find/${i.name}`)).body, before);
      });
    }

    it('create with proxyHost/proxyPort/proxyProtocol stores an enabled proxy shown in fetchInstances `Proxy` and find', async () => {
      const created = await createInstance(server, {
        instanceName: 'px-create-1',
        proxyHost: 'proxy.example.com',
        proxyPort: '3128',
        proxyProtocol: 'socks5',
        proxyUsername: 'cu',
        proxyPassword: 'cp',
      });
      const id = created.instance.instanceId;
      const expected = { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'socks5', username: 'cu', password: 'cp' };
      const proxy = (await row('px-create-1')).Proxy;
      assertProxyRow(proxy, id, expected);
      assert.deepEqual((await server.call('GET', '/proxy/find/px-create-1')).body, proxy);
    });

    it('create with a numeric proxyPort stores it as a string; username/password default to ""', async () => {
      const created = await createInstance(server, {
        instanceName: 'px-create-2', proxyHost: '10.0.0.1', proxyPort: 8080, proxyProtocol: 'http',
      });
      assertProxyRow((await row('px-create-2')).Proxy, created.instance.instanceId, {
        enabled: true, host: '10.0.0.1', port: '8080', protocol: 'http', username: '', password: '',
      });
    });

    it('create applies the proxy only when host, port and protocol are all given', async () => {
      await createInstance(server, { instanceName: 'px-create-3', proxyHost: 'proxy.example.com' });
      await createInstance(server, { instanceName: 'px-create-4', proxyHost: 'proxy.example.com', proxyPort: '3128' });
      await createInstance(server, { instanceName: 'px-create-5', proxyPort: '3128', proxyProtocol: 'http', proxyUsername: 'u' });
      for (const name of ['px-create-3', 'px-create-4', 'px-create-5']) {
        assert.equal((await row(name)).Proxy, null, name);
        assertNullJson(await server.call('GET', `/proxy/find/${name}`));
      }
    });

    it('create without proxy fields leaves Proxy null', async () => {
      await createInstance(server, { instanceName: 'px-create-6' });
      assert.equal((await row('px-create-6')).Proxy, null);
    });

    it('proxy of a deleted instance is gone (404), and a re-created name starts without one', async () => {
      const i = await fresh({ proxyHost: 'proxy.example.com', proxyPort: '3128', proxyProtocol: 'http' });
      assert.equal((await server.call('DELETE', `/instance/delete/${i.name}`)).status, 200);
      assertEvolutionError(await server.call('GET', `/proxy/find/${i.name}`), 404, `The "${i.name}" instance does not exist`);
      await createInstance(server, { instanceName: i.name });
      assertNullJson(await server.call('GET', `/proxy/find/${i.name}`));
    });

    it('the instance token can set and find its own proxy', async () => {
      const i = await fresh();
      const body = { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: '', password: '' };
      const res = await server.call('POST', `/proxy/set/${i.name}`, { apikey: i.token, body });
      assert.equal(res.status, 201, res.text);
      assertProxyRow((await server.call('GET', `/proxy/find/${i.name}`, { apikey: i.token })).body, i.id, body);
    });
  });
}
