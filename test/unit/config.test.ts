// Configuration: defaults, validation messages, Evolution's variable forms, the .env file, the global API key —
// and, through the real process, how a generated key is shown and a bad configuration is refused.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveApiKey } from '../../src/config/api-key.js';
import { ConfigError, loadConfig, readEnvironment } from '../../src/config/load.js';
import { spawnServer, startServerProcess } from '../helpers/process.js';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-config-'));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** loadConfig must throw a ConfigError; returns it. */
function configError(raw: Record<string, string>): ConfigError {
  let caught: unknown;
  try {
    loadConfig(raw);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(raw)}, got ${String(caught)}`);
  assert.equal(caught.name, 'ConfigError');
  return caught;
}

describe('loadConfig: defaults', () => {
  it('runs with no variables at all, with the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.serverUrl, 'http://localhost:8080');
    assert.equal(config.dataDir, path.resolve('data'));
    assert.deepEqual(config.database, { dialect: 'sqlite', file: path.resolve('data', 'parley.sqlite') });
    assert.equal(config.clientName, 'parley');
    assert.equal(config.deleteInstanceAfterMinutes, false);
    assert.equal(config.qrcodeLimit, 30);
    assert.equal(config.apiKey, undefined);
    assert.deepEqual(config.log, { level: 'info', pretty: false });
    assert.deepEqual(config.cors, { origins: ['*'], methods: ['POST', 'GET', 'PUT', 'DELETE'], credentials: false });
    assert.equal(config.docsEnabled, true);
    assert.equal(config.shutdownTimeoutMs, 10_000);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ SERVER_PORT: '', DEL_INSTANCE: '', QRCODE_LIMIT: '', LOG_LEVEL: '', AUTHENTICATION_API_KEY: '', DATABASE_URL: '' });
    assert.equal(config.port, 8080);
    assert.equal(config.deleteInstanceAfterMinutes, false);
    assert.equal(config.qrcodeLimit, 30);
    assert.equal(config.log.level, 'info');
    assert.equal(config.apiKey, undefined);
    assert.equal(config.database.dialect, 'sqlite');
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      SERVER_PORT: '9090',
      SERVER_URL: 'https://api.example.com/',
      DEL_INSTANCE: '5',
      QRCODE_LIMIT: '7',
      DATABASE_CONNECTION_CLIENT_NAME: 'evolution_exchange',
      CORS_CREDENTIALS: 'true',
      PARLEY_DATA_DIR: '/var/lib/parley',
    });
    assert.equal(config.port, 9090);
    assert.equal(config.serverUrl, 'https://api.example.com', 'a trailing slash is dropped');
    assert.equal(config.deleteInstanceAfterMinutes, 5);
    assert.equal(config.qrcodeLimit, 7);
    assert.equal(config.clientName, 'evolution_exchange');
    assert.equal(config.cors.credentials, true);
    assert.equal(config.dataDir, '/var/lib/parley');
    assert.deepEqual(config.database, { dialect: 'sqlite', file: '/var/lib/parley/parley.sqlite' });
    assert.equal(loadConfig({ DEL_INSTANCE: 'false' }).deleteInstanceAfterMinutes, false);
  });
});

describe('loadConfig: bad values name the variable and what is allowed', () => {
  const cases: Array<{ env: Record<string, string>; variable: string; allowed: RegExp }> = [
    { env: { SERVER_PORT: 'abc' }, variable: 'SERVER_PORT', allowed: /whole number from 0 to 65535.*"abc"/ },
    { env: { SERVER_PORT: '70000' }, variable: 'SERVER_PORT', allowed: /whole number from 0 to 65535.*"70000"/ },
    { env: { CORS_CREDENTIALS: 'maybe' }, variable: 'CORS_CREDENTIALS', allowed: /true or false.*"maybe"/ },
    { env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL', allowed: /"loud".*fatal, error, warn, info, debug, trace, silent.*ERROR,WARN,INFO/ },
    { env: { DEL_INSTANCE: '-1' }, variable: 'DEL_INSTANCE', allowed: /"false" or a number of minutes > 0.*"-1"/ },
    { env: { DATABASE_URL: 'mysql://x' }, variable: 'DATABASE_URL', allowed: /mysql:\/\/.*postgres:\/\/.*SQLite file path/ },
    { env: { SERVER_URL: 'ftp://x' }, variable: 'SERVER_URL', allowed: /http\(s\) URL.*"ftp:\/\/x"/ },
    { env: { DATABASE_URL: 'postgres://h/db?schema=bad;name' }, variable: 'DATABASE_URL', allowed: /schema "bad;name".*letters, digits and _/ },
  ];
  for (const { env, variable, allowed } of cases) {
    it(`${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`, () => {
      const error = configError(env);
      assert.equal(error.problems.length, 1, error.message);
      const problem = error.problems[0]!;
      assert.ok(problem.startsWith(`${variable}: `), `"${problem}" should start with the variable name`);
      assert.match(problem, allowed);
      assert.ok(error.message.startsWith('Invalid configuration:\n'), error.message);
      assert.ok(error.message.includes(`  - ${problem}`), error.message);
    });
  }

  it('reports every bad variable at once', () => {
    const error = configError({ SERVER_PORT: 'abc', LOG_LEVEL: 'loud', QRCODE_LIMIT: '0' });
    assert.deepEqual(error.problems.map((p) => p.split(':')[0]).sort(), ['LOG_LEVEL', 'QRCODE_LIMIT', 'SERVER_PORT']);
  });

  it('names DATABASE_CONNECTION_URI when that is the variable with the bad value', () => {
    const error = configError({ DATABASE_CONNECTION_URI: 'mysql://x' });
    assert.equal(error.problems.length, 1, error.message);
    assert.ok(error.problems[0]!.startsWith('DATABASE_CONNECTION_URI: '), `"${error.problems[0]}" should name DATABASE_CONNECTION_URI`);
  });
});

describe('loadConfig: LOG_LEVEL', () => {
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
    it(`accepts the pino level ${level}`, () => {
      assert.equal(loadConfig({ LOG_LEVEL: level }).log.level, level);
      assert.equal(loadConfig({ LOG_LEVEL: level.toUpperCase() }).log.level, level);
    });
  }

  it("accepts Evolution's lists: the most verbose level named wins", () => {
    const cases: Array<[string, string]> = [
      ['ERROR,WARN,DEBUG', 'debug'],
      ['ERROR', 'error'],
      ['ERROR,WARN', 'warn'],
      ['ERROR, WARN, INFO, LOG', 'info'],
      ['ERROR,WARN,DEBUG,INFO,LOG,VERBOSE,DARK,WEBHOOKS,WEBSOCKET', 'trace'],
      ['WEBHOOKS', 'info'],
      ['error,verbose', 'debug'],
    ];
    for (const [value, expected] of cases) assert.equal(loadConfig({ LOG_LEVEL: value }).log.level, expected, value);
  });

  it('refuses a list with an unknown entry, naming the entry', () => {
    const error = configError({ LOG_LEVEL: 'ERROR,LOUD' });
    assert.match(error.problems[0]!, /^LOG_LEVEL: unknown level "loud"/);
  });
});

describe('loadConfig: DATABASE_URL', () => {
  it('selects PostgreSQL; ?schema= sets the schema and is removed from the URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://user:pw@db.local:5432/evolution?schema=evolution_api&sslmode=disable' });
    assert.deepEqual(config.database, {
      dialect: 'postgres',
      url: 'postgresql://user:pw@db.local:5432/evolution?sslmode=disable',
      schema: 'evolution_api',
      poolMax: 10,
    });
    const only = loadConfig({ DATABASE_URL: 'postgres://db.local/evolution?schema=public' });
    assert.deepEqual(only.database, { dialect: 'postgres', url: 'postgres://db.local/evolution', schema: 'public', poolMax: 10 });
    const none = loadConfig({ DATABASE_URL: 'postgres://db.local/evolution', DATABASE_POOL_MAX: '3' });
    assert.deepEqual(none.database, { dialect: 'postgres', url: 'postgres://db.local/evolution', schema: undefined, poolMax: 3 });
  });

  it('honours DATABASE_CONNECTION_URI when DATABASE_URL is unset, and prefers DATABASE_URL', () => {
    const evolution = loadConfig({ DATABASE_CONNECTION_URI: 'postgresql://u:p@pg:5432/evolution?schema=evo' });
    assert.deepEqual(evolution.database, { dialect: 'postgres', url: 'postgresql://u:p@pg:5432/evolution', schema: 'evo', poolMax: 10 });
    const both = loadConfig({ DATABASE_URL: '/tmp/parley-both.sqlite', DATABASE_CONNECTION_URI: 'postgresql://u:p@pg:5432/evolution' });
    assert.deepEqual(both.database, { dialect: 'sqlite', file: '/tmp/parley-both.sqlite' });
  });

  it('takes a file path or file:// URL as SQLite', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: '/srv/parley/db.sqlite' }).database, { dialect: 'sqlite', file: '/srv/parley/db.sqlite' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'file:///srv/parley/other.db' }).database, { dialect: 'sqlite', file: '/srv/parley/other.db' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'rel/x.sqlite' }).database, { dialect: 'sqlite', file: path.resolve('rel/x.sqlite') });
  });
});

describe('readEnvironment', () => {
  it('merges a .env file under the real environment: the real environment wins', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, '.env'), 'SERVER_PORT=9000\nLOG_LEVEL=debug\n# a comment\nQRCODE_LIMIT="5"\n');
    const raw = readEnvironment(cwd, { SERVER_PORT: '9100', PATH: '/usr/bin' });
    assert.equal(raw.SERVER_PORT, '9100');
    assert.equal(raw.LOG_LEVEL, 'debug');
    assert.equal(raw.QRCODE_LIMIT, '5');
    assert.equal(raw.PATH, '/usr/bin');
    const config = loadConfig(raw);
    assert.equal(config.port, 9100);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.qrcodeLimit, 5);
  });

  it('works without a .env file', () => {
    const cwd = tempDir();
    assert.deepEqual(readEnvironment(cwd, { SERVER_PORT: '1234' }), { SERVER_PORT: '1234' });
  });
});

describe('resolveApiKey', () => {
  it('uses AUTHENTICATION_API_KEY when set, and writes nothing', () => {
    const dataDir = path.join(tempDir(), 'data');
    assert.deepEqual(resolveApiKey('my-configured-key-0123456789', dataDir), { key: 'my-configured-key-0123456789', source: 'env' });
    assert.equal(existsSync(path.join(dataDir, 'apikey')), false);
  });

  it('otherwise generates a long key into <dataDir>/apikey (mode 0600) and reads it back next time', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const first = resolveApiKey(undefined, dataDir);
    const file = path.join(dataDir, 'apikey');
    assert.equal(first.source, 'generated');
    assert.equal(first.file, file);
    assert.ok(first.key.length >= 32, `key too short: ${first.key.length}`);
    assert.match(first.key, /^[A-Za-z0-9_-]+$/, 'header-safe characters only');
    assert.equal(readFileSync(file, 'utf8').trim(), first.key);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const second = resolveApiKey(undefined, dataDir);
    assert.deepEqual(second, { key: first.key, source: 'file', file });

    // The environment still wins over a stored key.
    assert.deepEqual(resolveApiKey('env-key-wins-0123456789', dataDir), { key: 'env-key-wins-0123456789', source: 'env' });
    // Another data directory gets another key.
    const other = resolveApiKey(undefined, path.join(tempDir(), 'data'));
    assert.notEqual(other.key, first.key);
  });
});

describe('the real process: API key and configuration errors', () => {
  let dataDir: string;
  before(() => {
    dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
  });

  it('prints a generated key once, accepts it, and never writes it to the structured log', async () => {
    const databaseUrl = path.join(dataDir, 'parley.sqlite');
    const first = await startServerProcess({ dataDir, databaseUrl, apiKey: null });
    let key: string;
    try {
      const file = path.join(dataDir, 'apikey');
      key = readFileSync(file, 'utf8').trim();
      assert.ok(key.length >= 32);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const stdout = first.stdout();
      assert.equal(stdout.split(key).length - 1, 1, `the key is printed exactly once:\n${stdout}`);
      assert.ok(stdout.includes(file), 'the message says where the key is stored');
      assert.ok(stdout.includes('AUTHENTICATION_API_KEY'), 'the message says how to choose a key');

      const ok = await first.call('POST', '/verify-creds', { apikey: key });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.status, 200);
      assert.equal(ok.body.message, 'Credentials are valid');
      const wrong = await first.call('POST', '/verify-creds', { apikey: `${key}x` });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
      const created = await first.call('POST', '/instance/create', { apikey: key, body: { instanceName: 'keyed', integration: 'EVOLUTION', number: '5511' } });
      assert.equal(created.status, 201, created.text);
    } finally {
      assert.deepEqual(await first.stop(), { code: 0, signal: null });
    }

    // Second start: the stored key is reused and not printed again. Verbose logging, with requests carrying the key.
    const second = await startServerProcess({ dataDir, databaseUrl, apiKey: null, env: { LOG_LEVEL: 'trace' } });
    try {
      assert.ok(!second.stdout().includes(key), `the key is printed again:\n${second.stdout()}`);
      assert.ok(!second.stdout().includes('generated'), second.stdout());
      const ok = await second.call('POST', '/verify-creds', { apikey: key });
      assert.equal(ok.status, 200, ok.text);
      const list = await second.call('GET', '/instance/fetchInstances', { apikey: key });
      assert.deepEqual(list.body.map((r: any) => r.name), ['keyed']);
      const bad = await second.call('POST', '/instance/create', { apikey: key, body: { instanceName: 'bad name!' } });
      assert.equal(bad.status, 400);
    } finally {
      assert.deepEqual(await second.stop(), { code: 0, signal: null });
    }
    assert.ok(second.logLines().some((l) => l.level === 20 && l.msg === 'request'), 'trace logging was on (request lines present)');

    for (const [which, proc] of [['first', first], ['second', second]] as const) {
      const lines = proc.logLines();
      assert.ok(lines.length >= 2, `${which} start wrote structured log lines`);
      for (const line of lines) assert.ok(!JSON.stringify(line).includes(key), `${which} start logged the key: ${JSON.stringify(line)}`);
      assert.ok(!proc.stderr().includes(key), `${which} start wrote the key to stderr`);
    }
  });

  it('refuses SERVER_PORT=abc: exits non-zero and names SERVER_PORT on stderr', async () => {
    const dir = tempDir();
    const proc = await spawnServer({ dataDir: dir, databaseUrl: path.join(dir, 'parley.sqlite'), apiKey: null, env: { SERVER_PORT: 'abc' } });
    const exit = await proc.exited;
    assert.equal(exit.signal, null);
    assert.notEqual(exit.code, 0);
    assert.equal(exit.code, 78, 'EX_CONFIG');
    assert.match(proc.stderr(), /SERVER_PORT: expected a whole number from 0 to 65535, got "abc"/);
    assert.equal(proc.stdout(), '', 'nothing on stdout (no key was generated)');
    assert.equal(existsSync(path.join(dir, 'apikey')), false, 'no key is generated for a configuration that is refused');
  });
});
