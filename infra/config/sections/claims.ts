/**
 * The claims section: the pre token generation rules file and how the trigger runs.
 * Plain data (no aws-cdk-lib): the CDK construct `TokenApi` and the local stack read it.
 */
import {
  PRE_TOKEN_ENV,
  TRIGGER_VERSIONS,
  type TriggerVersion,
} from '@authwatch/pre-token-generation/config';
import * as z from 'zod';

/** The rules file every environment uses unless it names another, relative to the repository root. */
export const DEFAULT_CLAIMS_RULES_FILE = 'packages/pre-token-generation/rules/default.yaml';

export const ClaimsSectionSchema = z
  .object({
    /** Rules file (YAML or JSON), relative to the repository root; validated at synth. */
    rulesFile: z
      .string()
      .regex(/\.(ya?ml|json)$/i, 'must be a .yaml, .yml or .json file')
      .default(DEFAULT_CLAIMS_RULES_FILE),
    /**
     * The trigger's LambdaVersion; default V3_0 when the user pool has a machine client
     * (client-credentials tokens are customised too), else V2_0. V1_0 customises the ID
     * token only and refuses rules that need more.
     */
    triggerVersion: z.enum(TRIGGER_VERSIONS).optional(),
    /** Warn when a token is estimated longer than this many characters (CLAIMS_TOKEN_SIZE_BUDGET). */
    tokenSizeBudget: z.number().int().min(256).max(65_536).optional(),
    /** Memory of the function, MB. */
    memorySize: z.number().int().min(128).max(10_240).default(256),
  })
  .strict();

export type ClaimsSection = z.output<typeof ClaimsSectionSchema>;

/** The section with every default, for a config that does not set one. */
export function claimsSectionOf(section: ClaimsSection | undefined): ClaimsSection {
  return section ?? ClaimsSectionSchema.parse({});
}

/** The trigger version: the section's, else V3_0 with a machine client, else V2_0. */
export function claimsTriggerVersion(
  section: ClaimsSection,
  machineClient: boolean,
): TriggerVersion {
  return section.triggerVersion ?? (machineClient ? 'V3_0' : 'V2_0');
}

/**
 * The trigger's variables besides the rules file's location (which differs: bundled
 * in Lambda, the repository file in the local stack).
 */
export function claimsEnvironment(
  section: ClaimsSection,
  version: TriggerVersion,
): Record<string, string> {
  const env: Record<string, string> = { [PRE_TOKEN_ENV.triggerVersion]: version };
  if (section.tokenSizeBudget !== undefined)
    env[PRE_TOKEN_ENV.tokenSizeBudget] = String(section.tokenSizeBudget);
  return env;
}
