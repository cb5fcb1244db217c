// Per-instance behaviour settings and proxy (`/settings/*`, `/proxy/*`).
import type { Instance, InstanceSettings, ProxySettings } from '../domain/instance.js';
import type { Clock } from '../ports/clock.js';
import type { Store, StoredRow } from '../ports/store.js';

const BLANK_PROXY: ProxySettings = { enabled: false, host: '', port: '', protocol: '', username: '', password: '' };

export class InstanceConfigService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  setSettings(instance: Instance, settings: InstanceSettings): Promise<StoredRow<InstanceSettings>> {
    return this.store.settings.upsert(instance.id, settings, this.clock.now());
  }

  findSettings(instance: Instance): Promise<StoredRow<InstanceSettings> | null> {
    return this.store.settings.find(instance.id);
  }

  /**
   * Stores the proxy; it applies at the channel's next (re)connect. Unlike Evolution, Parley does not dial a
   * third-party IP echo service to test it: a bad proxy shows up as a connection error of the instance.
   */
  setProxy(instance: Instance, proxy: ProxySettings): Promise<StoredRow<ProxySettings>> {
    const stored = proxy.enabled ? proxy : BLANK_PROXY;
    return this.store.proxies.upsert(instance.id, stored, this.clock.now());
  }

  findProxy(instance: Instance): Promise<StoredRow<ProxySettings> | null> {
    return this.store.proxies.find(instance.id);
  }
}
