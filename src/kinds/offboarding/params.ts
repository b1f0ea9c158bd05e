import { z } from 'zod';

/** Offboarding one person or up to 50 at once: one request, one approval, a checklist each. */
export const MAX_OFFBOARD_USERS = 50;
export const offboardParams = z.object({
  userIds: z.array(z.string()).min(1).max(MAX_OFFBOARD_USERS),
  action: z.enum(['delete', 'disable']),
});
export type OffboardParams = z.infer<typeof offboardParams>;
