import { z } from 'zod';

/** Roles for one VAMS user: permanent rows, or grants that end after `minutes`. */
export const roleAssignParams = z.object({
  userId: z.string(),
  roles: z.array(z.string()).min(1),
  /** How long the grants last; absent: the roles are assigned permanently. */
  minutes: z.number().int().positive().optional(),
});
export type RoleAssignParams = z.infer<typeof roleAssignParams>;

/** A grant someone asks for themselves: never permanent. */
export const roleRequestParams = roleAssignParams.extend({ minutes: z.number().int().positive() });
