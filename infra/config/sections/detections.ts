/**
 * The detections section: when the detect function runs, which rules, who gets the
 * alert mails, whether responses act. Plain data (no aws-cdk-lib): the CDK construct
 * `Detections` and the local stack read it.
 */
import * as z from 'zod';

/** The rules file every environment uses unless it names another, relative to the repository root. */
export const DEFAULT_DETECTION_RULES_FILE = 'packages/detections/rules/default.yaml';

/** `rate(5 minutes)`, `rate(1 hour)`, or a Scheduler `cron(...)` expression. */
const SCHEDULE = /^(rate\((\d{1,4}) (minute|minutes|hour|hours)\)|cron\([^()]{9,100}\))$/;

export const DetectionsSectionSchema = z
  .object({
    /** Run the detections at all. */
    enabled: z.boolean().default(true),
    /** EventBridge Scheduler expression of the runs (at least every 60 minutes, at most every minute). */
    schedule: z
      .string()
      .regex(SCHEDULE, 'must be rate(<n> minutes), rate(<n> hours) or cron(...)')
      .default('rate(5 minutes)'),
    /** Rules file (YAML or JSON), relative to the repository root; validated at synth. */
    rulesFile: z
      .string()
      .regex(/\.(ya?ml|json)$/i, 'must be a .yaml, .yml or .json file')
      .default(DEFAULT_DETECTION_RULES_FILE),
    /** Addresses subscribed to the alert topic (each confirms the subscription mail). */
    alertEmails: z.array(z.email()).max(50).default([]),
    /** Let rules' responses act (lock, sign-out, disable); off: they are reported as not taken. */
    responses: z.boolean().default(false),
    /** Put every finding on the default EventBridge bus. */
    events: z.boolean().default(true),
    /** Longest Athena query before it is stopped, seconds. */
    athenaTimeoutSeconds: z.number().int().min(10).max(600).default(120),
    /** Memory of the function, MB. */
    memorySize: z.number().int().min(128).max(10_240).default(512),
  })
  .strict()
  .refine(
    (section) => {
      const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(section.schedule);
      if (!rate) return true;
      const minutes = Number(rate[1]) * (rate[2]?.startsWith('hour') ? 60 : 1);
      return minutes >= 1 && minutes <= 60;
    },
    { message: 'must run between every minute and every hour', path: ['schedule'] },
  );

export type DetectionsSection = z.output<typeof DetectionsSectionSchema>;

/** The section with every default, for a config that does not set one. */
export function detectionsSectionOf(section: DetectionsSection | undefined): DetectionsSection {
  return section ?? DetectionsSectionSchema.parse({});
}

/** Seconds between runs (a cron schedule counts as 5 minutes). */
export function scheduleSeconds(section: DetectionsSection): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(section.schedule);
  if (!rate) return 300;
  return Number(rate[1]) * (rate[2]?.startsWith('hour') ? 3600 : 60);
}

/**
 * Each run's lookback: the time between runs, plus Firehose's buffer interval (an event
 * may reach S3 that long after it happened), plus 2 minutes of margin.
 */
export function detectionLookbackSeconds(
  section: DetectionsSection,
  bufferIntervalSeconds: number,
): number {
  return scheduleSeconds(section) + bufferIntervalSeconds + 120;
}
