import { z } from 'zod';

/** Only what changes: VAMS's own update clears the phone when only the email is sent. */
export const userUpdateParams = z
  .object({
    userId: z.string(),
    email: z.string().optional(),
    phone: z.string().optional(),
    removePhone: z.literal(true).optional(),
  })
  .refine(
    (params) =>
      params.email !== undefined || params.phone !== undefined || params.removePhone === true,
    { message: 'an update changes something' },
  )
  .refine((params) => !(params.phone !== undefined && params.removePhone === true), {
    message: 'a phone number is either set or removed',
  });
export type UserUpdateParams = z.infer<typeof userUpdateParams>;
