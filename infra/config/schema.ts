/**
 * The typed config of one environment: the base section plus one section per concern.
 *
 * To add a section: create `sections/<name>.ts` exporting a zod object (optional at
 * first, so environments that do not set it yet still validate), then add ONE import
 * and ONE line to `SECTIONS` below. Its type flows into {@link AuthwatchConfig}.
 */
import type * as z from 'zod';
import { BaseConfigSchema } from './base.js';
import { crossSectionChecks } from './cross-checks.js';
import { ApiSectionSchema } from './sections/api.js';
import { AuditSectionSchema } from './sections/audit.js';
import { ClaimsSectionSchema } from './sections/claims.js';
import { CustomChallengeSectionSchema } from './sections/custom-challenge.js';
import { DetectionsSectionSchema } from './sections/detections.js';
import { MailSectionSchema } from './sections/mail.js';
import { SecurityLakeSectionSchema } from './sections/security-lake.js';
import { SignInWatchSectionSchema } from './sections/sign-in-watch.js';
import { StagingSiteAuthSectionSchema } from './sections/staging-site-auth.js';
import { UserPoolSectionSchema } from './sections/user-pool.js';

/**
 * One entry per concern's section, e.g. `audit: AuditSectionSchema.optional(),`.
 * Keep one line per section so concurrent edits do not collide.
 */
const SECTIONS = {
  audit: AuditSectionSchema.optional(),
  userPool: UserPoolSectionSchema.optional(),
  mail: MailSectionSchema.optional(),
  claims: ClaimsSectionSchema.optional(),
  api: ApiSectionSchema.optional(),
  customChallenge: CustomChallengeSectionSchema.optional(),
  securityLake: SecurityLakeSectionSchema.optional(),
  signInWatch: SignInWatchSectionSchema.optional(),
  detections: DetectionsSectionSchema.optional(),
  stagingSiteAuth: StagingSiteAuthSectionSchema.optional(),
} satisfies Record<string, z.ZodType>;

/** The whole config of one environment; unknown keys are refused (typos fail). */
export const ConfigSchema = BaseConfigSchema.extend(SECTIONS)
  .strict()
  .superRefine(crossSectionChecks);

/** A validated config, as the CDK app and the local stack use it. */
export type AuthwatchConfig = z.output<typeof ConfigSchema>;

/** What an environment file writes (defaults not yet applied). */
export type AuthwatchConfigInput = z.input<typeof ConfigSchema>;
