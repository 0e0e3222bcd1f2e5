/**
 * The base section of every environment's config: where it deploys and how its
 * Lambdas log and trace. Plain data validated by zod, with no aws-cdk-lib import, so
 * the local stack can load the same config.
 */
import * as z from 'zod';

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Powertools Logger levels (POWERTOOLS_LOG_LEVEL). */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;

export const BaseConfigSchema = z.object({
  /** Short environment name, used in stack and resource names (`dev`, `prod`). */
  envName: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be 1-16 lower-case letters, digits or dashes'),
  /** AWS account id; unset means the CLI's current account (environment-agnostic synth). */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  /** AWS region, e.g. `eu-west-1`. */
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region'),
  /** What happens to stateful resources (log groups, buckets) when the stack is deleted. */
  removalPolicy: z.enum(['destroy', 'retain']),
  /** How long Lambda log groups keep their logs; one of CloudWatch's allowed values. */
  logRetentionDays: z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
  /** Powertools log level of every Lambda (POWERTOOLS_LOG_LEVEL). */
  logLevel: z.enum(LOG_LEVELS),
  /**
   * Fraction of invocations logged at DEBUG whatever the level
   * (POWERTOOLS_LOGGER_SAMPLE_RATE), 0 to 1: debug detail on a sample of live traffic.
   */
  logSampleRate: z.number().min(0).max(1),
  /** Tags put on every resource of the stack. */
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
});

export type BaseConfig = z.output<typeof BaseConfigSchema>;
