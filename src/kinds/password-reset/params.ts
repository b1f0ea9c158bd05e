import { z } from 'zod';

/** A reset needs nothing but the User ID: the password is made when the request runs. */
export const passwordResetParams = z.object({ userId: z.string() });
