/**
 * The rules file: one zod schema for its structure (the JSON Schema for editors is
 * generated from it), plus the semantic checks in `load.ts` that know Cognito's limits.
 *
 * ```yaml
 * rules:
 *   - name: tenant
 *     match: { attributes: { custom:tenant_id: { exists: true } } }
 *     then: { claims: { tenant: '${custom:tenant_id}' } }
 * ```
 */
import * as z from 'zod';
import { TOKEN_TRIGGER_SOURCES } from './reserved.js';

const NonEmpty = z.string().min(1);
const StringList = z.array(NonEmpty).min(1);

/** A JSON value inside a claim's object value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/**
 * A claim value: string (may hold templates such as `${custom:tenant_id}`), number,
 * boolean, an array of those, or a JSON object. Anything but a string needs V2_0.
 */
export const ClaimValueSchema = z
  .union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string(), z.number(), z.boolean()])),
    z.record(z.string(), z.json()),
  ])
  .describe(
    'A string (templates: ${<attribute>}, ${groups}, ${scopes}, ${clientId}, ${userName}, ${triggerSource}, ${userPoolId}, ${region}; $${ for a literal ${), number, boolean, array of those, or JSON object (not V1_0)',
  );
export type ClaimValue = z.output<typeof ClaimValueSchema>;

/** Set matcher over groups or scopes: every given condition must hold. */
export const SetMatcherSchema = z
  .strictObject({
    any: StringList.optional().describe('matches when at least one of these is present'),
    all: StringList.optional().describe('matches when every one of these is present'),
    none: StringList.optional().describe('matches when none of these is present'),
  })
  .describe('any / all / none of the listed names');

/** One user-attribute condition; a bare string is shorthand for `{ equals: ... }`. */
export const AttributeMatcherSchema = z.union([
  z.string(),
  z
    .strictObject({
      equals: z.string().optional().describe('the attribute equals this value'),
      in: z.array(z.string()).min(1).optional().describe('the attribute is one of these values'),
      regex: NonEmpty.max(512)
        .optional()
        .describe('the attribute matches this JavaScript regular expression'),
      exists: z.boolean().optional().describe('the attribute is present (true) or absent (false)'),
    })
    .describe('all given conditions must hold'),
]);

export const MatchSchema = z
  .strictObject({
    groups: z
      .union([StringList, SetMatcherSchema])
      .optional()
      .describe('the user groups; a list is shorthand for { any: [...] }'),
    attributes: z
      .record(NonEmpty, AttributeMatcherSchema)
      .optional()
      .describe('user attributes by name, e.g. custom:tenant_id'),
    clients: StringList.optional().describe('app client ids (callerContext.clientId)'),
    triggerSources: z
      .array(z.enum(TOKEN_TRIGGER_SOURCES))
      .min(1)
      .optional()
      .describe('trigger sources, e.g. TokenGeneration_ClientCredentials'),
    scopes: z
      .union([StringList, SetMatcherSchema])
      .optional()
      .describe('requested scopes (V2_0/V3_0); a list is shorthand for { any: [...] }'),
  })
  .describe('every given condition must hold; no match block matches every event');

const ClaimsMap = z.record(NonEmpty, ClaimValueSchema);
const NameList = z.array(NonEmpty);

export const IdTokenEditSchema = z.strictObject({
  claims: ClaimsMap.optional().describe('claims to add or override in the ID token'),
  suppress: NameList.optional().describe('claims to remove from the ID token'),
});

export const AccessTokenEditSchema = z.strictObject({
  claims: ClaimsMap.optional().describe('claims to add or override in the access token (V2_0+)'),
  suppress: NameList.optional().describe('claims to remove from the access token (V2_0+)'),
  scopesToAdd: NameList.optional().describe('scopes to add to the access token (V2_0+)'),
  scopesToSuppress: NameList.optional().describe('scopes to remove from the access token (V2_0+)'),
});

export const ThenSchema = z
  .strictObject({
    claims: ClaimsMap.optional().describe(
      'claims to add or override in both tokens (the access token from V2_0)',
    ),
    suppress: NameList.optional().describe('claims to remove from both tokens'),
    idToken: IdTokenEditSchema.optional(),
    accessToken: AccessTokenEditSchema.optional(),
    groups: z
      .array(NonEmpty)
      .optional()
      .describe('replace the cognito:groups claim with these groups ([] removes it)'),
    iamRoles: z.array(NonEmpty).optional().describe('replace cognito:roles with these role ARNs'),
    preferredRole: NonEmpty.nullable()
      .optional()
      .describe('set cognito:preferred_role (null removes it)'),
    roleMapping: z
      .record(NonEmpty, NonEmpty)
      .optional()
      .describe(
        'group -> role ARN: cognito:roles becomes the roles of the user groups, cognito:preferred_role the first listed here that applies',
      ),
  })
  .describe('what a matching rule does');

export const RuleSchema = z.strictObject({
  name: NonEmpty.max(128)
    .optional()
    .describe('unique name, used in audit records and explain output'),
  description: z.string().optional(),
  enabled: z.boolean().optional().describe('false skips the rule (default true)'),
  match: MatchSchema.optional(),
  then: ThenSchema,
  stop: z.boolean().optional().describe('true: no later rule is evaluated when this one matches'),
});
export type Rule = z.output<typeof RuleSchema>;

export const RulesFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).optional().describe('rules file format version'),
    description: z.string().optional(),
    settings: z
      .strictObject({
        tokenSizeBudget: z
          .int()
          .min(256)
          .max(65_536)
          .optional()
          .describe('warn when a token is estimated longer than this many characters'),
      })
      .optional(),
    rules: z.array(RuleSchema).describe('evaluated in order; later rules override earlier ones'),
  })
  .describe('Authwatch pre token generation rules');
export type RulesFile = z.output<typeof RulesFileSchema>;

/** The JSON Schema of the rules file, for editor completion (`schema/rules.schema.json`). */
export function rulesJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RulesFileSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://authwatch.dev/schemas/claims-rules.schema.json',
    title: 'Authwatch claims rules',
  };
}
