/**
 * The detection rules file: one zod schema for its structure (the JSON Schema for
 * editors is generated from it, `schema/rules.schema.json`), plus the semantic checks
 * in `load.ts` (known OCSF fields, value types, windows within the history kept,
 * references between rules).
 *
 * A rule reads like a Sigma correlation rule (`type`, `group-by`, `timespan`,
 * `condition`) over a base filter in the spirit of Sigma's detection maps, and carries
 * the metadata Elastic's rules carry (id, title, description, severity, MITRE ATT&CK
 * technique ids, references to where a threshold comes from).
 *
 * ```yaml
 * rules:
 *   - id: otp-brute-force-user
 *     title: OTP brute force on one user
 *     severity: high
 *     mitre: [T1110.001]
 *     filter: { class_uid: 3002, metadata.log_name: [challenge-failed, challenge-locked-out] }
 *     correlation: { type: event_count, group-by: [user.name], timespan: 10m, condition: { gte: 5 } }
 * ```
 */
import * as z from 'zod';

/** A filter value: a string, number or boolean. */
export const ScalarSchema = z.union([z.string().max(512), z.number(), z.boolean()]);
export type Scalar = z.output<typeof ScalarSchema>;

/**
 * A base filter over OCSF fields, Sigma-style: every key must hold (AND). A key is a
 * field, optionally with a modifier (`field|contains`, `field|startswith`,
 * `field|endswith`, `field|exists`, `field|gte`, `field|lte`); a list of values means
 * any of them. `not` negates a filter, `any` holds when one of its filters holds.
 */
export interface Filter {
  [key: string]: Scalar | Scalar[] | Filter | Filter[];
}
export const FilterSchema: z.ZodType<Filter> = z.lazy(() =>
  z
    .record(
      z.string().min(1),
      z.union([
        ScalarSchema,
        z.array(ScalarSchema).min(1),
        FilterSchema,
        z.array(FilterSchema).min(1),
      ]),
    )
    .describe(
      'field: value | [values] | field|contains: text | field|exists: true | not: {filter} | any: [{filter}, ...]',
    ),
);

/** `30s`, `10m`, `3h`, `28d`. */
export const DurationSchema = z
  .string()
  .regex(/^\d{1,6}[smhd]$/, 'a duration such as 30s, 10m, 3h or 28d')
  .describe('a duration: <number> then s, m, h or d');

const Threshold = z.int().describe('the threshold (a count)');
const GroupBy = z
  .array(z.string().min(1))
  .min(1)
  .max(3)
  .describe('OCSF fields whose values form a group (a finding is per group)');

export const PerValueSchema = z
  .strictObject({
    field: z.string().min(1).describe('OCSF field counted within each group'),
    lte: Threshold.describe('at most this many events per value of the field'),
    gte: Threshold.optional().describe(
      'and the busiest value has at least this many (a spray tries each user more than once)',
    ),
  })
  .describe(
    'a per-group constraint on the events per value of a field: e.g. at most 2 attempts per user in a credential-stuffing window',
  );

const EventCountSchema = z.strictObject({
  type: z.literal('event_count'),
  'group-by': GroupBy,
  timespan: DurationSchema,
  condition: z.strictObject({ gte: Threshold.describe('at least this many events') }),
  value_count: z
    .record(z.string().min(1), z.strictObject({ gte: Threshold }))
    .optional()
    .describe('also: at least this many distinct values of each field'),
  per_value: PerValueSchema.optional(),
});

const ValueCountSchema = z.strictObject({
  type: z.literal('value_count'),
  'group-by': GroupBy,
  timespan: DurationSchema,
  condition: z.strictObject({
    field: z.string().min(1).describe('the field whose distinct values are counted'),
    gte: Threshold.describe('at least this many distinct values'),
  }),
  per_value: PerValueSchema.optional(),
});

export const SequenceStepSchema = z.union([
  z
    .strictObject({
      rules: z.array(z.string().min(1)).min(1).describe('any of these rules named the group'),
    })
    .describe('a step met when one of the listed rules matched for the group'),
  z.strictObject({ filter: FilterSchema }).describe('a step met by one event of the filter'),
]);

const TemporalOrderedSchema = z.strictObject({
  type: z.literal('temporal_ordered'),
  'group-by': GroupBy,
  timespan: DurationSchema.describe('the last step at most this long after the first'),
  sequence: z.array(SequenceStepSchema).min(2).max(4),
});

const FirstSeenSchema = z.strictObject({
  type: z.literal('first_seen'),
  'group-by': GroupBy,
  field: z.string().min(1).describe('the field whose new values are reported'),
  baseline: DurationSchema.describe('a value not seen for the group in this long is new'),
});

const TravelSchema = z.strictObject({
  type: z.literal('travel'),
  'group-by': GroupBy,
  timespan: DurationSchema.describe('only consecutive events at most this far apart'),
  max_speed_kmh: z.number().positive().describe('faster than this between two events fires'),
  min_distance_km: z
    .number()
    .nonnegative()
    .optional()
    .describe('ignore moves shorter than this (GeoIP precision), default 100'),
});

export const CorrelationSchema = z.discriminatedUnion('type', [
  EventCountSchema,
  ValueCountSchema,
  TemporalOrderedSchema,
  FirstSeenSchema,
  TravelSchema,
]);
export type Correlation = z.output<typeof CorrelationSchema>;

export const ResponseSchema = z.discriminatedUnion('action', [
  z
    .strictObject({
      action: z.literal('lock'),
      minutes: z.int().min(1).max(10_080).describe('how long the account is locked'),
    })
    .describe('sets custom:authwatch_lock_until, which the pre authentication trigger enforces'),
  z.strictObject({ action: z.literal('sign_out') }).describe('AdminUserGlobalSignOut'),
  z.strictObject({ action: z.literal('disable') }).describe('AdminDisableUser'),
]);
export type ResponseAction = z.output<typeof ResponseSchema>;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RuleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'lower-case letters, digits and dashes, 2-64 characters')
    .describe('stable id: findings and their uids are keyed by it'),
  title: z.string().min(1).max(200),
  description: z.string().min(1).max(2000),
  severity: z.enum(SEVERITIES),
  mitre: z
    .array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'a MITRE ATT&CK technique id such as T1110.003'))
    .min(1)
    .describe('MITRE ATT&CK technique ids'),
  references: z.array(z.string().min(1)).optional().describe('where the threshold comes from'),
  enabled: z.boolean().optional().describe('false: the rule is loaded and checked, not run'),
  filter: FilterSchema.describe('the base filter: which events the rule looks at'),
  correlation: CorrelationSchema,
  evidence: z
    .array(z.string().min(1))
    .max(8)
    .optional()
    .describe(
      'fields whose distinct values the finding lists (default: user, IP, country, reason)',
    ),
  responses: z.array(ResponseSchema).max(3).optional().describe('opt-in actions on the user'),
});
export type Rule = z.output<typeof RuleSchema>;

export const SettingsSchema = z.strictObject({
  historyDays: z
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('days of audit data kept: no window or baseline may be longer (default 90)'),
  windowSteps: z
    .int()
    .min(1)
    .max(60)
    .optional()
    .describe(
      'windows of a timespan start every timespan/windowSteps (default 10): a burst inside (1 - 1/windowSteps) of the timespan is always seen',
    ),
});

export const RulesFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).optional().describe('rules file format version'),
    description: z.string().optional(),
    settings: SettingsSchema.optional(),
    rules: z.array(RuleSchema),
  })
  .describe('Authwatch detection rules');
export type RulesFile = z.output<typeof RulesFileSchema>;

/** The JSON Schema of the rules file, for editor completion (`schema/rules.schema.json`). */
export function rulesJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RulesFileSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://authwatch.dev/schemas/detection-rules.schema.json',
    title: 'Authwatch detection rules',
  };
}
