import { z } from 'zod';

/** One line of a request's append-only audit trail. */
export const auditEvent = z.object({
  requestId: z.string(),
  at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export type AuditEvent = z.infer<typeof auditEvent>;
