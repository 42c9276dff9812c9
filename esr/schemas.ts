// zod schemas for everything that enters the ESR module from outside: chat input, web forms, CSV rows, data files.
import { z } from 'zod';
import { STAFF_GROUPS } from './types.js';

export const USERNAME_PATTERN = /^\d{3}[A-Z]{2,}\d{2}$/;

export const usernameSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(USERNAME_PATTERN, 'should be the organisation code, your initial and surname, then two digits, like 241JSMITH01');

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('should be an email address, like first.last@nhs.net'));

export const isoDateSchema = z.iso.date('should be a date as yyyy-mm-dd');

export const entraObjectIdSchema = z.string().trim().toLowerCase().pipe(z.uuid('should be a GUID'));

export const staffGroupSchema = z.enum(STAFF_GROUPS);

export const staffRecordSchema = z.object({
  username: usernameSchema,
  firstName: z.string().trim().min(1, 'is required').max(100),
  lastName: z.string().trim().min(1, 'is required').max(100),
  workEmail: emailSchema,
  dateOfBirth: isoDateSchema,
  staffGroup: staffGroupSchema,
  entraObjectId: entraObjectIdSchema.optional(),
  upn: emailSchema.optional(),
  organisationCode: z.string().trim().regex(/^\d{3}$/, 'should be the three-digit ESR organisation code, like 242').optional(),
});

export const accountStateSchema = z.object({
  username: z.string(),
  status: z.enum(['not_registered', 'approved']),
  passwordHash: z.string().optional(),
  previousHashes: z.array(z.string()),
  locked: z.boolean(),
  lockedAt: z.string().optional(),
  failedAttempts: z.number().int().min(0),
  registeredAt: z.string().optional(),
  passwordChangedAt: z.string().optional(),
});

export const accountHelpRequestSchema = z.object({
  kind: z.enum(['password', 'username', 'unlock']),
  email: emailSchema,
  dateOfBirth: isoDateSchema,
  username: usernameSchema.optional(),
});

// Passwords are strings of sane size; the policy says what is wrong with their content.
export const passwordInputSchema = z.string().max(1024, 'is far too long');

/** Turns a zod error into field/problem pairs that callers can show next to each field. */
export function issuesOf(error: z.ZodError): Array<{ field: string; problem: string }> {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || 'input', problem: issue.message }));
}
