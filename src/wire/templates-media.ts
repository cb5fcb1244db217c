// `/template/*` and `/s3/*` request schemas (compat §3.8, §3.12).
import { z } from 'zod';

export const templateCreateBody = z.object({
  name: z.string().min(1),
  category: z.enum(['AUTHENTICATION', 'MARKETING', 'UTILITY']),
  allowCategoryChange: z.boolean().optional(),
  language: z.string().min(1),
  components: z.array(z.unknown()),
  webhookUrl: z.string().optional(),
});

export const mediaUrlBody = z.object({ id: z.string().min(1), expiry: z.coerce.number().int().min(1).max(604_800).optional() });
export const getMediaBody = z.object({ id: z.string().optional(), messageId: z.string().optional(), type: z.string().optional() });
