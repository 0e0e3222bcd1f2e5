/**
 * The sign-in-watch section: the pre authentication trigger's policies and the path of
 * Cognito's CloudTrail records into the audit stream (EventBridge → SQS → Lambda).
 * Plain data (no aws-cdk-lib): the CDK app and the local stack both load it. Every
 * field has a default, so an environment without the section gets the trigger, the
 * lock and the CloudTrail path, using the account's existing trail.
 */
import { existsSync } from 'node:fs';
import { PRE_AUTH_ENV } from '@authwatch/pre-auth/config';
import * as z from 'zod';

const mmdb = z
  .string()
  .regex(/\.mmdb$/, 'must be a MaxMind database file (.mmdb)')
  .refine((path) => existsSync(path), 'names a file that does not exist');

export const SignInWatchSectionSchema = z
  .object({
    /** Refuse users whose `custom:authwatch_lock_until` (epoch seconds) is in the future. */
    lock: z.boolean().default(true),
    /**
     * Client restrictions: members of `groups` may sign in only through `clients` (app
     * client ids), e.g. admins only through an admin client. Ids, not the names `web` or
     * `machine`: Cognito makes those clients' ids at deploy, after the trigger that must
     * know them (the pool depends on the trigger, the clients on the pool).
     */
    clientRules: z
      .array(
        z
          .object({
            groups: z.array(z.string().min(1).max(128)).min(1),
            clients: z
              .array(
                z
                  .string()
                  .regex(/^[\w+]{1,128}$/, 'must be an app client id')
                  .refine(
                    (id) => id !== 'web' && id !== 'machine',
                    'must be an app client id, not a client name: the trigger cannot depend on a client Cognito creates at deploy',
                  ),
              )
              .min(1),
          })
          .strict(),
      )
      .default([]),
    cloudTrail: z
      .object({
        /** Cognito's CloudTrail records into the audit stream. */
        enabled: z.boolean().default(true),
        /**
         * Create a management-events trail (KMS-encrypted, log file validation on). Off:
         * the account's existing trail is used. EventBridge receives CloudTrail's API
         * calls only while a trail logs management events in the region.
         */
        createTrail: z.boolean().default(false),
        /** Messages per Lambda invocation (SQS event source batch size). */
        batchSize: z.number().int().min(1).max(10_000).default(500),
        /** Seconds to gather a batch (with batchSize > 10). */
        batchWindowSeconds: z.number().int().min(0).max(300).default(2),
        /** Receives before a message goes to the dead-letter queue. */
        maxReceiveCount: z.number().int().min(1).max(100).default(5),
        /** Your GeoLite2/GeoIP2 City database (.mmdb), shipped in its own layer: city and coordinates. */
        geoipCityDb: mmdb.optional(),
        /** Your GeoLite2/GeoIP2 ASN database (.mmdb): the autonomous system. */
        geoipAsnDb: mmdb.optional(),
        /**
         * Groups whose grants and members' admin-set passwords are privileged changes
         * (detections `privileged-group-grant`, `privileged-password-set`).
         */
        privilegedGroups: z
          .array(
            z
              .string()
              .regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u, 'must be a Cognito group name'),
          )
          .min(1)
          .default(['admins']),
      })
      .strict()
      .default({
        enabled: true,
        createTrail: false,
        batchSize: 500,
        batchWindowSeconds: 2,
        maxReceiveCount: 5,
        privilegedGroups: ['admins'],
      }),
  })
  .strict();

export type SignInWatchSection = z.output<typeof SignInWatchSectionSchema>;

/** The section with its defaults (also for a config that does not set it). */
export function signInWatchSectionOf(section: SignInWatchSection | undefined): SignInWatchSection {
  return section ?? SignInWatchSectionSchema.parse({});
}

/** The pre authentication trigger's variables from the section (the key comes apart). */
export function preAuthEnvironment(
  section: SignInWatchSection,
  userHashKey: string,
): Record<string, string> {
  const env: Record<string, string> = {
    [PRE_AUTH_ENV.userHashKey]: userHashKey,
    [PRE_AUTH_ENV.lock]: String(section.lock),
  };
  if (section.clientRules.length > 0) {
    env[PRE_AUTH_ENV.clientRules] = JSON.stringify(
      section.clientRules.map((rule) => ({ groups: rule.groups, clients: rule.clients })),
    );
  }
  return env;
}
