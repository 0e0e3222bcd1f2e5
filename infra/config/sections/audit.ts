/**
 * The audit section: how long audit records stay hot, how Firehose buffers, who may
 * watch the live feed. Plain data (no aws-cdk-lib), loaded by the CDK app and the
 * local stack alike.
 */
import * as z from 'zod';

export const AuditSectionSchema = z
  .object({
    /** Days after which delivered audit objects move to S3 Glacier Flexible Retrieval. */
    glacierAfterDays: z.number().int().min(1).max(3650).default(90),
    /** Days after which audit objects are deleted; unset keeps them forever. */
    expireAfterDays: z.number().int().min(2).max(36500).optional(),
    /** Firehose buffering interval, seconds (60-900). */
    bufferIntervalSeconds: z.number().int().min(60).max(900).default(300),
    /** Firehose buffering size, MiB (64-128: Parquet conversion needs at least 64). */
    bufferSizeMiB: z.number().int().min(64).max(128).default(64),
    /** Keep users' emails in audit records (AUDIT_INCLUDE_EMAIL). */
    includeEmail: z.boolean().default(false),
    /** Cognito group whose members may subscribe to the live feed. */
    subscriberGroup: z
      .string()
      .regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u, 'must be a Cognito group name')
      .default('security'),
    /** Alarm when the oldest undelivered record is older than this, seconds. */
    freshnessAlarmSeconds: z.number().int().min(60).max(86_400).default(900),
    /** Days Athena query results are kept. */
    athenaResultsDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict()
  .refine(
    (section) =>
      section.expireAfterDays === undefined || section.expireAfterDays > section.glacierAfterDays,
    { message: 'must be later than glacierAfterDays', path: ['expireAfterDays'] },
  );

export type AuditSection = z.output<typeof AuditSectionSchema>;
