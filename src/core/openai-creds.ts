// OpenAI credentials of an instance (`/openai/creds`) and the model list (`/openai/getModels`). The HTTP call to
// OpenAI is injected, so core never speaks HTTP. Gated by OPENAI_ENABLED like the bot routes.
import { randomUUID } from 'node:crypto';
import type { Bot, OpenAiCreds } from '../domain/chatbot.js';
import { badRequest, DomainError, notFound } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import { ChatbotProviderError } from '../ports/chatbots.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { CREDS_NOT_FOUND } from './chatbot-config.js';

export const DUPLICATE_KEY = 'This API key is already registered. Please use a different API key.';
export const DUPLICATE_NAME = 'This credential name is already in use. Please choose a different name.';

export interface OpenAiCredsOptions {
  enabled: boolean;
  /** OPENAI_API_KEY_GLOBAL: used when the instance has no credentials for the call. */
  globalKey: string | undefined;
  /** GET {base}/models with this key: the `data` array. Throws ChatbotProviderError on failure. */
  listModels(apiKey: string): Promise<unknown[]>;
  /** Called after a deletion took the instance's bots using the credential with it. */
  onChanged?(instanceId: string): void;
}

export class OpenAiCredsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: OpenAiCredsOptions,
  ) {}

  private assertEnabled(): void {
    if (!this.options.enabled) throw badRequest('Openai is disabled');
  }

  /**
   * Name and key are unique within the instance. Evolution makes both unique across all instances, which tells one
   * tenant what another registered and stops two instances of one owner sharing a key; Parley scopes them.
   */
  async create(instance: Instance, name: string, apiKey: string): Promise<OpenAiCreds> {
    this.assertEnabled();
    await this.assertUnique(instance, name, apiKey);
    const now = this.clock.now();
    const creds: OpenAiCreds = { id: randomUUID(), instanceId: instance.id, name, apiKey, createdAt: now, updatedAt: now };
    try {
      await this.store.chatbots.insertCreds(creds);
    } catch (error) {
      // Two creates racing past the check: the unique index decides, and the loser gets the same answer.
      await this.assertUnique(instance, name, apiKey);
      throw error;
    }
    return creds;
  }

  /** Each credential with the OpenAI bots that use it. */
  async list(instance: Instance): Promise<{ creds: OpenAiCreds; bots: Bot[] }[]> {
    this.assertEnabled();
    const [all, bots] = await Promise.all([this.store.chatbots.listCreds(instance.id), this.store.chatbots.listBots(instance.id, 'openai')]);
    return all.map((creds) => ({ creds, bots: bots.filter((b) => b.config.openaiCredsId === creds.id) }));
  }

  /** Deletes the credential and, as in Evolution, the bots that use it; settings naming it lose their credential. */
  async delete(instance: Instance, id: string): Promise<void> {
    this.assertEnabled();
    if (!(await this.store.chatbots.deleteCreds(instance.id, id))) throw notFound(CREDS_NOT_FOUND);
    this.options.onChanged?.(instance.id);
  }

  /**
   * The key: the given credentials of the instance, else the OpenAI settings' credentials, else
   * OPENAI_API_KEY_GLOBAL. A key OpenAI refuses is the caller's mistake (400); OpenAI unreachable is a 503.
   */
  async models(instance: Instance, credsId: string | undefined): Promise<unknown[]> {
    this.assertEnabled();
    let apiKey: string | undefined;
    if (credsId !== undefined && credsId !== '') {
      const creds = await this.store.chatbots.findCreds(instance.id, credsId);
      if (creds === undefined) throw badRequest(CREDS_NOT_FOUND);
      apiKey = creds.apiKey;
    } else {
      const settings = await this.store.chatbots.findSettings(instance.id, 'openai');
      const settingsCreds = settings?.extra.openaiCredsId;
      if (typeof settingsCreds === 'string') apiKey = (await this.store.chatbots.findCreds(instance.id, settingsCreds))?.apiKey;
      apiKey ??= this.options.globalKey;
    }
    if (apiKey === undefined) {
      throw badRequest('No OpenAI credentials: pass openaiCredsId, set openaiCredsId in the OpenAI settings, or set OPENAI_API_KEY_GLOBAL');
    }
    try {
      return await this.options.listModels(apiKey);
    } catch (error) {
      if (error instanceof ChatbotProviderError) {
        const text = `Error fetching models: ${error.message}`;
        throw error.retryable ? new DomainError('unavailable', [text]) : badRequest(text);
      }
      throw error;
    }
  }

  private async assertUnique(instance: Instance, name: string, apiKey: string): Promise<void> {
    if ((await this.store.chatbots.findCredsByApiKey(apiKey, instance.id)) !== undefined) throw badRequest(DUPLICATE_KEY);
    if ((await this.store.chatbots.findCredsByName(instance.id, name)) !== undefined) throw badRequest(DUPLICATE_NAME);
  }
}
