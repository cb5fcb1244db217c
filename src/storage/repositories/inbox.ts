// SQL for raw provider deliveries awaiting processing.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { InboxItem, ProviderInboxRepository } from '../../ports/messages.js';
import type { Database } from '../schema.js';

export class KyselyInboxRepository implements ProviderInboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(integration: string, body: string, at: Date): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('provider_inbox')
      .values({ id, integration, body, status: 'pending', attempts: 0, next_attempt_at: at.getTime(), last_error: null, received_at: at.getTime() })
      .execute();
    return id;
  }

  async due(limit: number, at: Date): Promise<InboxItem[]> {
    return this.db
      .selectFrom('provider_inbox')
      .select(['id', 'integration', 'body', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', at.getTime())
      .orderBy('received_at')
      .limit(limit)
      .execute();
  }

  async done(id: string): Promise<void> {
    await this.db.deleteFrom('provider_inbox').where('id', '=', id).execute();
  }

  async failed(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.db
      .updateTable('provider_inbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 1000),
        status: nextAttemptAt === null ? 'dead' : 'pending',
        next_attempt_at: nextAttemptAt?.getTime() ?? 0,
      }))
      .where('id', '=', id)
      .execute();
  }
}
