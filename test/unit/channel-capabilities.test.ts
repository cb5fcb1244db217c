// Every capability an installed channel claims is served: its routes are registered on the HTTP server, and where
// the capability is a feature set (groups, profile …) the channel's connection exposes it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { builtInChannels } from '../../src/channels/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_SETTINGS, type Instance } from '../../src/domain/instance.js';
import { CAPABILITY_ROUTES } from '../../src/http/routes/capability-routes.js';
import type { ChannelCapability, ChannelConnection, ChannelEvents, ChannelServices } from '../../src/ports/channel.js';
import { systemClock } from '../../src/ports/clock.js';
import { SEND_ROUTES } from '../../src/wire/messages/index.js';
import { databaseKinds } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The connection field each feature capability needs (ports/channel-features.ts). */
const FEATURE_OF: Partial<Record<ChannelCapability, keyof ChannelConnection>> = {
  whatsappNumbers: 'chats', archive: 'chats', delete: 'chats', edit: 'chats', block: 'chats', markRead: 'markRead',
  profile: 'profile', privacy: 'privacy', groups: 'groups', labels: 'labels', templates: 'templates',
};

const config = loadConfig({ PARLEY_DATA_DIR: '/tmp/parley-capability-test' });
// Opening a connection touches none of these (sockets start on connect); they only need to exist.
const services = {
  auth: {}, identities: {}, settings: async () => DEFAULT_SETTINGS, proxy: async () => undefined, logger: pino({ level: 'silent' }), clock: systemClock,
} as unknown as ChannelServices;
const events = {} as ChannelEvents;
/** Content kinds with a `/message/send*` route. */
const OUTBOUND_KINDS = new Set<ChannelCapability>(SEND_ROUTES.map((route) => route.kind));

function instanceOf(integration: Instance['integration']): Instance {
  const now = new Date();
  return {
    id: 'capability-test', name: 'capability-test', clientName: 'test', integration, connectionStatus: 'close', ownerJid: null, profileName: null,
    profilePicUrl: null, number: '5511000000001', businessId: null, token: 'secret', disconnectionReasonCode: null, disconnectionObject: null,
    disconnectionAt: null, createdAt: now, updatedAt: now,
  };
}

describe('channel capabilities', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(databaseKinds()[0]!);
  });
  after(async () => server.close());

  it('every route of the capability table is registered', () => {
    for (const [method, url] of CAPABILITY_ROUTES) {
      assert.ok(server.parley.http.hasRoute({ method, url }), `${method} ${url} is not registered`);
    }
  });

  it('every capability an installed channel claims has routes, and its connection exposes the feature', async () => {
    const routed = new Set(CAPABILITY_ROUTES.map(([, , capability]) => capability));
    for (const channel of builtInChannels(config, services)) {
      const connection = channel.open(instanceOf(channel.integration), events);
      await connection.prepare?.();
      try {
        for (const capability of channel.capabilities) {
          if (OUTBOUND_KINDS.has(capability)) continue; // a send kind is served by its /message/send* route
          assert.ok(routed.has(capability), `${channel.integration} claims "${capability}" but no route serves it`);
          const feature = FEATURE_OF[capability];
          if (feature !== undefined) assert.notEqual(connection[feature], undefined, `${channel.integration} claims "${capability}" but its connection has no "${String(feature)}"`);
        }
      } finally {
        await connection.close();
      }
    }
  });
});
