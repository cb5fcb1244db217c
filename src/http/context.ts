// What route handlers may use: config and core services (never storage or channels directly).
import type { Config } from '../config/load.js';
import type { EventConfigService } from '../core/event-config.js';
import type { InstanceConfigService } from '../core/instance-config.js';
import type { InstanceService } from '../core/instances.js';

export interface HttpContext {
  config: Config;
  version: string;
  instances: InstanceService;
  instanceConfig: InstanceConfigService;
  eventConfig: EventConfigService;
  /** Resolves when the database answers (`/ready`). */
  ping(): Promise<void>;
}
