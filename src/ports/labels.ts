// Storage of WhatsApp Business labels and which chats carry them.
import type { Label, LabelChange } from '../domain/label.js';

export interface LabelRepository {
  /** Inserts or updates a label; a change with `deleted: true` removes it and its chat associations (→ undefined). */
  upsert(instanceId: string, label: LabelChange, at: Date): Promise<Label | undefined>;
  find(instanceId: string, labelId: string): Promise<Label | undefined>;
  /** The instance's labels, ordered by label id (numerically: "2" before "10"). */
  list(instanceId: string): Promise<Label[]>;
  /** Tags a chat; resolves false when it already carried the label. */
  associate(instanceId: string, chatJid: string, labelId: string): Promise<boolean>;
  /** Untags a chat; resolves false when it did not carry the label. */
  dissociate(instanceId: string, chatJid: string, labelId: string): Promise<boolean>;
  /** Label ids on a chat, in the same order. Associations may name labels not (yet) known. */
  labelsOfChat(instanceId: string, chatJid: string): Promise<string[]>;
}
