import { z } from 'zod';

/** One role for the asker, at once and for a while; reviewed by an admin afterwards. */
export const breakglassParams = z.object({
  userId: z.string(),
  /** Always one role: the grant steps take a list. */
  roles: z.array(z.string()).length(1),
  minutes: z.number().int().positive(),
});
export type BreakglassParams = z.infer<typeof breakglassParams>;
