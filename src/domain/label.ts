// WhatsApp Business labels (chat tags) of an instance.

export interface Label {
  /** Our row id. */
  id: string;
  instanceId: string;
  /** WhatsApp's id of the label within the account. */
  labelId: string;
  name: string;
  /** WhatsApp's colour index. */
  color: number;
  predefinedId: string | null;
  /** Set on a change that removes the label. */
  deleted?: boolean;
}

/** A label as a channel reports it (created, changed or, with `deleted`, removed). */
export type LabelChange = Omit<Label, 'id' | 'instanceId'>;
