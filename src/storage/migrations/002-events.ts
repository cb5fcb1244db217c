// The transactional outbox: endpoints, events and per-endpoint deliveries. Events and deliveries deliberately have
// no foreign key to instances: REMOVE_INSTANCE and friends must still be delivered after the instance is gone.
import { PostgresAdapter, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('event_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text')
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('enabled', t.bool, (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('removed_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_endpoints_instance_idx').on('event_endpoints').columns(['instance_id', 'transport']).execute();

  let events = db.schema.createTable('outbox_events');
  events = pg
    ? events.addColumn('seq', 'bigserial', (c) => c.primaryKey())
    : events.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await events
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('instance_id', 'text')
    .addColumn('instance_name', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('chat_key', 'text')
    .addColumn('sender', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_events_instance_idx').on('outbox_events').columns(['instance_id', 'created_at']).execute();
  await db.schema.createIndex('outbox_events_created_idx').on('outbox_events').column('created_at').execute();

  await db.schema
    .createTable('event_deliveries')
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('event_seq', t.time, (c) => c.notNull())
    .addColumn('instance_id', 'text')
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', t.time, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('delivered_at', t.time)
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('event_deliveries_pk', ['endpoint_id', 'event_seq'])
    .execute();
  await db.schema.createIndex('event_deliveries_work_idx').on('event_deliveries').columns(['endpoint_id', 'status', 'event_seq']).execute();
  await db.schema.createIndex('event_deliveries_instance_idx').on('event_deliveries').columns(['instance_id', 'status', 'event_seq']).execute();
  await db.schema.createIndex('event_deliveries_prune_idx').on('event_deliveries').columns(['status', 'delivered_at']).execute();
  await db.schema.createIndex('event_deliveries_event_idx').on('event_deliveries').column('event_seq').execute();
}
