// Prometheus metrics of live channels: messages WhatsApp could not decrypt, and history sync progress.
// Registered on the pipeline's registry so `/metrics` serves them; core reaches them through `ChannelReportMetrics`.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Instance } from '../domain/instance.js';

export class ChannelMetrics {
  private readonly decryptFailures: Counter;
  private readonly historyStored: Counter;
  private readonly historyProgress: Gauge;

  constructor(registry: Registry) {
    this.decryptFailures = new Counter({
      name: 'parley_whatsapp_decrypt_failures_total',
      help: 'WhatsApp messages that arrived but could not be decrypted (announced as ciphertext, not stored)',
      labelNames: ['instance'],
      registers: [registry],
    });
    this.historyStored = new Counter({
      name: 'parley_whatsapp_history_items_total',
      help: 'Items stored from WhatsApp history sync, by kind (messages, chats, contacts)',
      labelNames: ['instance', 'kind'],
      registers: [registry],
    });
    this.historyProgress = new Gauge({
      name: 'parley_whatsapp_history_sync_progress',
      help: 'Last history sync progress WhatsApp reported, in percent',
      labelNames: ['instance'],
      registers: [registry],
    });
  }

  decryptFailure(instance: Instance): void {
    this.decryptFailures.inc({ instance: instance.name });
  }

  historyChunk(instance: Instance, stored: { messages: number; chats: number; contacts: number }, progress: number | null): void {
    for (const [kind, n] of Object.entries(stored)) if (n > 0) this.historyStored.inc({ instance: instance.name, kind }, n);
    if (progress !== null) this.historyProgress.set({ instance: instance.name }, progress);
  }
}
