// Holds the live channel connections of the instances this node runs. Node-local state by design: with several
// nodes, each instance is owned (and its connection held) by exactly one of them.
import type { Logger } from 'pino';
import { integrationUnavailable } from '../domain/errors.js';
import type { Instance, Integration } from '../domain/instance.js';
import type { ChannelConnection, ChannelEvents, ChannelFactory } from '../ports/channel.js';

export class ChannelHost {
  private readonly factories: Map<Integration, ChannelFactory>;
  private readonly live = new Map<string, ChannelConnection>();

  constructor(
    factories: ChannelFactory[],
    private readonly eventsFor: (instance: Instance) => ChannelEvents,
    private readonly logger: Logger,
  ) {
    this.factories = new Map(factories.map((f) => [f.integration, f]));
  }

  isAvailable(integration: Integration): boolean {
    return this.factories.has(integration);
  }

  /** The factory of an integration, or the domain's "integration not available" error. */
  factory(integration: Integration): ChannelFactory {
    const factory = this.factories.get(integration);
    if (factory === undefined) throw integrationUnavailable(integration);
    return factory;
  }

  /** The live connection of an instance, opened on first use. */
  connection(instance: Instance): ChannelConnection {
    let connection = this.live.get(instance.id);
    if (connection === undefined) {
      connection = this.factory(instance.integration).open(instance, this.eventsFor(instance));
      this.live.set(instance.id, connection);
    }
    return connection;
  }

  existing(instanceId: string): ChannelConnection | undefined {
    return this.live.get(instanceId);
  }

  async release(instanceId: string): Promise<void> {
    const connection = this.live.get(instanceId);
    this.live.delete(instanceId);
    await connection?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.entries()];
    this.live.clear();
    await Promise.all(
      all.map(([id, c]) =>
        c.close().catch((error: unknown) => this.logger.warn({ instanceId: id, err: error }, 'channel close failed')),
      ),
    );
  }
}
