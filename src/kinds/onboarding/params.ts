import { z } from 'zod';

export const onboardingParams = z.object({
  userId: z.string(),
  email: z.string(),
  phone: z.string().optional(),
  roles: z.array(z.string()).min(1),
});
export type OnboardingParams = z.infer<typeof onboardingParams>;
