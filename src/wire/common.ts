// Schemas shared by several route groups.
import { z } from 'zod';
import { INSTANCE_NAME_PATTERN, INSTANCE_NAME_RULE } from '../domain/instance.js';

export const instanceParams = z.object({
  instanceName: z.string().describe('The instance name'),
});

export const instanceNameSchema = z
  .string()
  .min(1)
  .refine((v) => INSTANCE_NAME_PATTERN.test(v), {
    error: (issue) => `instanceName "${String(issue.input)}" is invalid: ${INSTANCE_NAME_RULE}`,
  });

export const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** A port given as a string (Evolution) or a number; kept as a string like Evolution stores it. */
export const portSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
    error: (issue) => `must be a port number from 1 to 65535, got "${String(issue.input)}"`,
  });
