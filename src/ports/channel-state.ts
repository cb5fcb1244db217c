// State a live channel keeps in the database: its login (WhatsApp Web creds and Signal keys) and the identities it
// learns (LID ↔ phone number). Values are opaque strings to storage: the channel serializes them (Baileys'
// BufferJSON), so storage round-trips them byte-identical.

export interface KeyChange {
  type: string;
  id: string;
  /** null deletes the key (a consumed pre-key, a reset session). */
  value: string | null;
}

export interface ChannelAuthRepository {
  loadCreds(instanceId: string): Promise<string | undefined>;
  saveCreds(instanceId: string, creds: string, at: Date): Promise<void>;
  /** Found keys only; ids not stored are absent from the map. */
  getKeys(instanceId: string, type: string, ids: string[]): Promise<Map<string, string>>;
  /** All changes in one transaction, idempotent (a retried commit writes the same rows). */
  setKeys(instanceId: string, changes: KeyChange[], at: Date): Promise<void>;
  /** Deletes creds and every key of the instance (logout, logged out from the phone). */
  wipe(instanceId: string): Promise<void>;
  /** Ids of instances that have stored creds (they reconnect at boot). */
  instancesWithCreds(): Promise<string[]>;
}

export interface IdentityPair {
  /** `…@lid` */
  lid: string;
  /** `…@s.whatsapp.net` */
  pn: string;
}

/** The persistent LID ↔ phone-number map of an instance, learned from every source the channel offers. */
export interface IdentityRepository {
  /** Stores pairs (insert or replace); returns the pairs that were new or changed. */
  remember(instanceId: string, pairs: IdentityPair[], at: Date): Promise<IdentityPair[]>;
  pnForLid(instanceId: string, lid: string): Promise<string | undefined>;
  lidForPn(instanceId: string, pn: string): Promise<string | undefined>;
  /** Both forms of a JID when known: `[jid]` or `[jid, other]`. */
  aliases(instanceId: string, jid: string): Promise<string[]>;
}
