// What route handlers may use: config and core services (never storage or channels directly).
import type { Config } from '../config/load.js';
import type { EventConfigService } from '../core/event-config.js';
import type { InstanceConfigService } from '../core/instance-config.js';
import type { ConversationQueries } from '../core/conversations.js';
import type { InstanceService } from '../core/instances.js';
import type { MessagingService } from '../core/messaging.js';
import type { ProviderWebhooks } from '../core/provider-webhooks.js';

export interface HttpContext {
  config: Config;
  version: string;
  instances: InstanceService;
  instanceConfig: InstanceConfigService;
  eventConfig: EventConfigService;
  messaging: MessagingService;
  conversations: ConversationQueries;
  providerWebhooks: ProviderWebhooks;
  /** Resolves when the database answers (`/ready`). */
  ping(): Promise<void>;
}
