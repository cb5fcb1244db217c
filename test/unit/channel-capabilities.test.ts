// The installed channels declare only capabilities whose routes exist: the WhatsApp-Web-only chat routes have no
// implementation yet, so no installed channel may claim their capabilities.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInChannels } from '../../src/channels/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { CAPABILITY_ROUTES } from '../../src/http/routes/chats.js';

describe('channel capabilities', () => {
  it('no installed channel claims a capability that only WhatsApp-Web-only routes would serve', () => {
    const routeOnly = new Set(CAPABILITY_ROUTES.map(([, , capability]) => capability));
    for (const channel of builtInChannels(loadConfig({ PARLEY_DATA_DIR: '/tmp/parley-capability-test' }))) {
      const claimed = [...channel.capabilities].filter((c) => routeOnly.has(c));
      assert.deepEqual(claimed, [], `${channel.integration} claims ${claimed.join(', ')} but those routes are not implemented`);
    }
  });
});
