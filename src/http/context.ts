// What route handlers may use: config and core services (never storage or channels directly).
import type { Config } from '../config/load.js';
import type { EventConfigService } from '../core/event-config.js';
import type { InstanceConfigService } from '../core/instance-config.js';
import type { ConversationQueries } from '../core/conversations.js';
import type { InstanceService } from '../core/instances.js';
import type { MessagingService } from '../core/messaging.js';
import type { ProviderWebhooks } from '../core/provider-webhooks.js';
import type { ChatActionsService } from '../core/chat-actions.js';
import type { GroupService } from '../core/groups.js';
import type { LabelService } from '../core/labels.js';
import type { ProfileService } from '../core/profile.js';
import type { ChatbotConfigService } from '../core/chatbot-config.js';
import type { OpenAiCredsService } from '../core/openai-creds.js';
import type { ChatbotSessionService } from '../core/chatbot-sessions.js';

export interface HttpContext {
  config: Config;
  version: string;
  instances: InstanceService;
  instanceConfig: InstanceConfigService;
  eventConfig: EventConfigService;
  messaging: MessagingService;
  conversations: ConversationQueries;
  providerWebhooks: ProviderWebhooks;
  /** Chatbot bots and settings of the seven providers. */
  chatbots: ChatbotConfigService;
  /** OpenAI credentials and getModels. */
  openAiCreds: OpenAiCredsService;
  /** Chatbot sessions: changeStatus, fetchSessions, Typebot start, the session list. */
  chatbotSessions: ChatbotSessionService;
  /** WhatsApp-Web-only route groups (other channels answer their "not available" 400). */
  chatActions: ChatActionsService;
  profiles: ProfileService;
  groups: GroupService;
  labels: LabelService;
  /** Resolves when the database answers (`/ready`). */
  ping(): Promise<void>;
}
