/**
 * User pool domains: CreateUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain and
 * DescribeUserPoolDomain (API reference; developer guide, "Configuring a user pool
 * domain").
 *
 * As Cognito: a domain without a dot is a prefix domain (`<prefix>.auth.<region>.
 * amazoncognito.com`: lower-case letters, digits and hyphens, 1 to 63 characters, not
 * containing `aws`, `amazon` or `cognito`); one with dots is a custom domain and needs
 * `CustomDomainConfig.CertificateArn` (an ACM certificate), and Cognito answers with the
 * CloudFront domain its DNS alias must point at. A pool has at most one domain of each
 * kind, and a domain name belongs to one pool. ManagedLoginVersion is 1 (hosted UI,
 * classic) or 2 (managed login), 1 by default; UpdateUserPoolDomain changes it and a
 * custom domain's certificate, never the name; DescribeUserPoolDomain of a name no pool
 * has answers an empty DomainDescription, as Cognito does. A domain is ACTIVE at once
 * (Cognito takes up to a minute, an hour for a certificate). The emulator serves no hosted
 * UI on it: the domain is configuration that DescribeUserPool and the audit see.
 */
import { randomInt } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from './cloudtrail.js';
import type { EmulatorContext } from './context.js';
import { invalidParameter } from './errors.js';
import { type Json, str } from './input.js';
import { requirePool } from './lookup.js';
import { validation } from './pool-config.js';
import { isJsonObject, type PoolRecord } from './state.js';

export interface DomainRecord {
  domain: string;
  kind: 'prefix' | 'custom';
  managedLoginVersion: number;
  customDomainConfig?: { CertificateArn: string; SecurityPolicy?: string };
  /** The CloudFront distribution in front of it. */
  cloudFrontDomain: string;
  created: number;
  modified: number;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED = ['aws', 'amazon', 'cognito'];
const CERTIFICATE = /^arn:[\w+=/,.@-]+:acm:[\w-]*:\d{12}:certificate\/[\w-]+$/;
const SECURITY_POLICIES = new Set(['TLS_V1', 'TLS_V1_2_2021', 'TLS_V1_3_2025']);

const own = <T>(map: Record<string, T> | undefined, key: string): T | undefined =>
  map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;

function domainsOf(pool: PoolRecord): Record<string, DomainRecord> {
  pool.domains ??= Object.create(null) as Record<string, DomainRecord>;
  return pool.domains;
}

function readDomain(i: Json): { domain: string; kind: DomainRecord['kind'] } {
  const domain = str(i, 'Domain');
  if (domain.length > 253) {
    throw validation(domain, 'domain', 'Member must have length less than or equal to 253');
  }
  const labels = domain.split('.');
  if (!labels.every((label) => LABEL.test(label))) {
    throw invalidParameter(
      'The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$',
    );
  }
  if (labels.length === 1) {
    const reserved = RESERVED.find((word) => domain.includes(word));
    if (reserved) throw invalidParameter(`Domain cannot contain reserved word: ${reserved}`);
    return { domain, kind: 'prefix' };
  }
  return { domain, kind: 'custom' };
}

function readVersion(i: Json): number | undefined {
  const version = i.ManagedLoginVersion;
  if (version === undefined || version === null) return undefined;
  if (version !== 1 && version !== 2) {
    throw invalidParameter(
      `ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login), got ${String(version)}`,
    );
  }
  return version;
}

function readCustomConfig(i: Json): DomainRecord['customDomainConfig'] {
  const config = i.CustomDomainConfig;
  if (config === undefined || config === null) return undefined;
  if (!isJsonObject(config)) throw invalidParameter('CustomDomainConfig must be an object');
  const arn = config.CertificateArn;
  if (typeof arn !== 'string' || !CERTIFICATE.test(arn)) {
    throw validation(
      arn,
      'customDomainConfig.certificateArn',
      'Member must be the ARN of an ACM certificate',
    );
  }
  const policy = config.SecurityPolicy;
  if (policy !== undefined && (typeof policy !== 'string' || !SECURITY_POLICIES.has(policy))) {
    throw validation(
      policy,
      'customDomainConfig.securityPolicy',
      'Member must satisfy enum value set: [TLS_V1, TLS_V1_2_2021, TLS_V1_3_2025]',
    );
  }
  return { CertificateArn: arn, ...(typeof policy === 'string' ? { SecurityPolicy: policy } : {}) };
}

/** The pool holding `domain`, if any. */
function ownerOf(ctx: EmulatorContext, domain: string): PoolRecord | undefined {
  return Object.values(ctx.state.pools).find((pool) => own(pool.domains, domain) !== undefined);
}

function cloudFrontDomain(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = 'd';
  for (let n = 0; n < 13; n += 1) id += alphabet[randomInt(alphabet.length)];
  return `${id}.cloudfront.net`;
}

function answer(record: DomainRecord): Json {
  return {
    ManagedLoginVersion: record.managedLoginVersion,
    ...(record.kind === 'custom' ? { CloudFrontDomain: record.cloudFrontDomain } : {}),
  };
}

export function createUserPoolDomain(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const { domain, kind } = readDomain(i);
  const managedLoginVersion = readVersion(i) ?? 1;
  const customDomainConfig = readCustomConfig(i);
  if (kind === 'custom' && customDomainConfig === undefined) {
    throw invalidParameter('CustomDomainConfig is required for a custom domain.');
  }
  if (kind === 'prefix' && customDomainConfig !== undefined) {
    throw invalidParameter('CustomDomainConfig is only for a custom domain.');
  }
  if (ownerOf(ctx, domain) !== undefined) {
    throw invalidParameter('Domain already associated with another user pool.');
  }
  if (Object.values(domainsOf(pool)).some((existing) => existing.kind === kind)) {
    throw invalidParameter('User pool already has a domain configured.');
  }
  const now = ctx.now();
  const record: DomainRecord = {
    domain,
    kind,
    managedLoginVersion,
    ...(customDomainConfig ? { customDomainConfig } : {}),
    cloudFrontDomain: cloudFrontDomain(),
    created: now,
    modified: now,
  };
  domainsOf(pool)[domain] = record;
  pool.modified = now;
  ctx.changed();
  return answer(record);
}

/** The pool's record of `domain`, else Cognito's error for a domain it does not have. */
function poolDomain(ctx: EmulatorContext, i: Json): { pool: PoolRecord; record: DomainRecord } {
  const pool = requirePool(ctx, i.UserPoolId);
  const record = own(pool.domains, str(i, 'Domain'));
  if (record === undefined) throw invalidParameter('No such domain or user pool exists.');
  return { pool, record };
}

export function updateUserPoolDomain(ctx: EmulatorContext, i: Json): Json {
  const { pool, record } = poolDomain(ctx, i);
  const version = readVersion(i);
  const customDomainConfig = readCustomConfig(i);
  if (record.kind === 'prefix' && customDomainConfig !== undefined) {
    throw invalidParameter('CustomDomainConfig is only for a custom domain.');
  }
  if (version !== undefined) record.managedLoginVersion = version;
  if (customDomainConfig !== undefined) record.customDomainConfig = customDomainConfig;
  record.modified = ctx.now();
  pool.modified = record.modified;
  ctx.changed();
  return answer(record);
}

export function deleteUserPoolDomain(ctx: EmulatorContext, i: Json): Json {
  const { pool, record } = poolDomain(ctx, i);
  delete domainsOf(pool)[record.domain];
  pool.modified = ctx.now();
  ctx.changed();
  return {};
}

export function describeUserPoolDomain(ctx: EmulatorContext, i: Json): Json {
  const domain = str(i, 'Domain');
  const pool = ownerOf(ctx, domain);
  const record = pool ? own(pool.domains, domain) : undefined;
  if (!pool || !record) return { DomainDescription: {} };
  return {
    DomainDescription: {
      UserPoolId: pool.id,
      AWSAccountId: LOCAL_ACCOUNT_ID,
      Domain: record.domain,
      S3Bucket: `aws-cognito-prod-${ctx.region}-assets`,
      CloudFrontDistribution: record.cloudFrontDomain,
      Version: String(Math.floor(record.modified / 1000)),
      Status: 'ACTIVE',
      ...(record.customDomainConfig ? { CustomDomainConfig: record.customDomainConfig } : {}),
      ManagedLoginVersion: record.managedLoginVersion,
    },
  };
}

/** What DescribeUserPool shows of the pool's domains (`Domain`, `CustomDomain`). */
export function domainView(pool: PoolRecord): Json {
  const view: Json = {};
  for (const record of Object.values(pool.domains ?? {})) {
    if (record.kind === 'prefix') view.Domain = record.domain;
    else view.CustomDomain = record.domain;
  }
  return view;
}
