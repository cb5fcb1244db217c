// SQL for the LID ↔ phone-number map of an instance: one pn per lid and one lid per pn.
import type { Kysely } from 'kysely';
import type { IdentityPair, IdentityRepository } from '../../ports/channel-state.js';
import type { Database } from '../schema.js';
import { chunks, inList, inTransaction, isUniqueViolation, rowsPerStatement } from './batch.js';

/** The pairs a batch leaves behind when applied in order: a later pair displaces earlier ones sharing its lid or pn. */
function settle(pairs: readonly IdentityPair[]): IdentityPair[] {
  const pnOfLid = new Map<string, string>();
  const lidOfPn = new Map<string, string>();
  for (const { lid, pn } of pairs) {
    const oldPn = pnOfLid.get(lid);
    if (oldPn !== undefined) lidOfPn.delete(oldPn);
    const oldLid = lidOfPn.get(pn);
    if (oldLid !== undefined) pnOfLid.delete(oldLid);
    pnOfLid.set(lid, pn);
    lidOfPn.set(pn, lid);
  }
  return [...pnOfLid].map(([lid, pn]) => ({ lid, pn }));
}

export class KyselyIdentityRepository implements IdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async remember(instanceId: string, pairs: IdentityPair[], at: Date): Promise<IdentityPair[]> {
    const wanted = settle(pairs);
    if (wanted.length === 0) return [];
    // Two writers racing on one pair collide on a unique index; the retry then sees the other's row.
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.db, (trx) => this.apply(trx, instanceId, wanted, at));
      } catch (error) {
        if (this.db.isTransaction || attempt >= 3 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  private async apply(trx: Kysely<Database>, instanceId: string, wanted: IdentityPair[], at: Date): Promise<IdentityPair[]> {
    const lids = wanted.map((p) => p.lid);
    const pns = wanted.map((p) => p.pn);
    const existing = await trx
      .selectFrom('identities')
      .select(['lid', 'pn'])
      .where('instance_id', '=', instanceId)
      .where((eb) => eb.or([inList(trx, 'lid', lids), inList(trx, 'pn', pns)]))
      .execute();
    const stored = new Set(existing.map((r) => `${r.lid}\u0000${r.pn}`));
    const changed = wanted.filter((p) => !stored.has(`${p.lid}\u0000${p.pn}`));
    if (changed.length === 0) return [];
    // A changed pair replaces whatever held its lid or its pn.
    await trx
      .deleteFrom('identities')
      .where('instance_id', '=', instanceId)
      .where((eb) => eb.or([inList(trx, 'lid', changed.map((p) => p.lid)), inList(trx, 'pn', changed.map((p) => p.pn))]))
      .execute();
    for (const rows of chunks(changed, rowsPerStatement(trx))) {
      await trx
        .insertInto('identities')
        .values(rows.map((p) => ({ instance_id: instanceId, lid: p.lid, pn: p.pn, updated_at: at.getTime() })))
        .execute();
    }
    return changed;
  }

  async pnForLid(instanceId: string, lid: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('identities').select('pn').where('instance_id', '=', instanceId).where('lid', '=', lid).executeTakeFirst();
    return row?.pn;
  }

  async lidForPn(instanceId: string, pn: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('identities').select('lid').where('instance_id', '=', instanceId).where('pn', '=', pn).executeTakeFirst();
    return row?.lid;
  }

  async aliases(instanceId: string, jid: string): Promise<string[]> {
    const row = await this.db
      .selectFrom('identities')
      .select(['lid', 'pn'])
      .where('instance_id', '=', instanceId)
      .where((eb) => eb.or([eb('lid', '=', jid), eb('pn', '=', jid)]))
      .executeTakeFirst();
    if (row === undefined) return [jid];
    return [jid, row.lid === jid ? row.pn : row.lid];
  }
}
