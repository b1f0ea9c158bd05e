import { z } from 'zod';

/** Requests about one existing Cognito user that need nothing but its User ID. */
export const singleUserParams = z.object({ userId: z.string() });
