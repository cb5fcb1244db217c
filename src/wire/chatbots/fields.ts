// Field schemas shared by the chatbot bodies. Lenient where Evolution's Manager sends odd values: numbers typed into
// text inputs arrive as strings, a cleared input as "", a cleared select as "".
import { z } from 'zod';

/** "" → absent; "12" → 12. */
function numberish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v === '') return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : value;
}

/** "true"/"false" → booleans. */
function boolish(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** "" → null (a cleared optional text or select). */
const emptyToNull = (value: unknown): unknown => (value === '' ? null : value);

export const optionalInt = (min: number) => z.preprocess(numberish, z.int().min(min).nullable().optional());
export const requiredInt = (min: number) => z.preprocess(numberish, z.int().min(min));
export const optionalBool = () => z.preprocess(boolish, z.boolean().nullable().optional());
export const requiredBool = () => z.preprocess(boolish, z.boolean());
export const optionalText = () => z.preprocess(emptyToNull, z.string().nullable().optional());
export const requiredText = () => z.string().trim().min(1);

/** A single string is taken as a one-element list (a Manager textarea). */
export const optionalStringList = () =>
  z.preprocess((v) => (typeof v === 'string' ? (v === '' ? [] : [v]) : v), z.array(z.string()).nullable().optional());

export const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(emptyToNull, z.enum(values).nullable().optional());

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .trim()
  .min(1)
  .refine(isHttpUrl, { error: (issue) => `must be an http(s) URL, got "${String(issue.input)}"` });

export const requiredUrl = () => httpUrl;
export const optionalUrl = () => z.preprocess(emptyToNull, httpUrl.nullable().optional());
