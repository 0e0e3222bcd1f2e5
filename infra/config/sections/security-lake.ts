/**
 * The securityLake section: when the account already runs Amazon Security Lake, the
 * stack registers one custom source per OCSF class in it (CreateCustomLogSource) and
 * the audit stream delivers into the lake's bucket instead of its own audit bucket.
 * Unset: nothing changes. Plain data (no aws-cdk-lib).
 */
import * as z from 'zod';

export const SecurityLakeSectionSchema = z
  .object({
    /** The lake's bucket in this stack's region (`aws-security-data-lake-<region>-<id>`). */
    bucketName: z
      .string()
      .regex(/^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    /**
     * The external id Security Lake puts in the trust policy of each source's provider
     * role (CreateCustomLogSource `providerIdentity.externalId`).
     */
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/_-]'),
    /** The customer managed KMS key of the lake's bucket, when it has one. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'must be a KMS key ARN')
      .optional(),
    /**
     * The sources' version (CreateCustomLogSource `sourceVersion`). When set, objects go
     * under `ext/<source>/<version>/`, where Security Lake then expects them.
     */
    sourceVersion: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1-32 characters of [A-Za-z0-9._-]')
      .optional(),
  })
  .strict();

export type SecurityLakeSection = z.output<typeof SecurityLakeSectionSchema>;
