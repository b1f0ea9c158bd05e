import { z } from 'zod';

export const roleRemoveParams = z.object({ userId: z.string(), roleName: z.string() });
export type RoleRemoveParams = z.infer<typeof roleRemoveParams>;
