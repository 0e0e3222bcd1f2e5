/**
 * The sign-up policy's configuration, read once at cold start. Every variable is
 * optional; a bad value fails the cold start with a ConfigError naming the variable.
 */
import {
  ConfigError,
  getBooleanFromEnv,
  getEnumFromEnv,
  getIntFromEnv,
  getListFromEnv,
} from '@authwatch/kit/env';
import { DISPOSABLE_DOMAINS } from './disposable-domains.js';
import { DomainSet, normalizeDomain } from './domains.js';

/** Names of the environment variables the pre sign-up trigger reads. */
export const PRE_SIGNUP_ENV = {
  /** Comma-separated email domains allowed to sign up (each with its subdomains); empty: any. */
  allowDomains: 'PRE_SIGNUP_ALLOW_DOMAINS',
  /** Comma-separated email domains refused (each with its subdomains); wins over the allow list. */
  denyDomains: 'PRE_SIGNUP_DENY_DOMAINS',
  /** `false` stops refusing the bundled disposable-email domains (default true). */
  blockDisposable: 'PRE_SIGNUP_BLOCK_DISPOSABLE',
  /** Comma-separated domains added to the bundled disposable list. */
  extraDisposableDomains: 'PRE_SIGNUP_EXTRA_DISPOSABLE_DOMAINS',
  /**
   * Comma-separated SHA-256 hashes (64 hex digits) of accepted invite codes; set, a
   * self sign-up must send one of the codes as `validationData.inviteCode`.
   */
  inviteCodeSha256: 'PRE_SIGNUP_INVITE_CODE_SHA256',
  /** `true` applies the domain lists to users an admin creates too (default false). */
  checkAdminCreated: 'PRE_SIGNUP_CHECK_ADMIN_CREATED',
  /**
   * Trigger sources whose users are auto-confirmed: `SignUp`, `ExternalProvider`, or
   * `none` (default ExternalProvider). The same syntax for the two below.
   */
  autoConfirm: 'PRE_SIGNUP_AUTO_CONFIRM',
  /** Trigger sources whose email is marked verified (default ExternalProvider, when the IdP verified it). */
  autoVerifyEmail: 'PRE_SIGNUP_AUTO_VERIFY_EMAIL',
  /** Trigger sources whose phone number is marked verified (default none). */
  autoVerifyPhone: 'PRE_SIGNUP_AUTO_VERIFY_PHONE',
  /**
   * A federated sign-up whose verified email belongs to a native user: `link` the
   * identity to that user (default), `deny` the sign-up, or `off` (create a separate user).
   */
  linkFederated: 'PRE_SIGNUP_LINK_FEDERATED',
  /**
   * Comma-separated identity providers (e.g. a corporate SAML IdP) whose emails count
   * as verified although they send no `email_verified`.
   */
  trustedEmailProviders: 'PRE_SIGNUP_TRUSTED_EMAIL_PROVIDERS',
  /** Longest one Cognito API call may take, ms (default 1,000). */
  requestTimeoutMs: 'PRE_SIGNUP_REQUEST_TIMEOUT_MS',
} as const;

/** The trigger sources, by the short names the config uses. */
export const SIGN_UP_SOURCES = ['SignUp', 'AdminCreateUser', 'ExternalProvider'] as const;
export type SignUpSource = (typeof SIGN_UP_SOURCES)[number];

/** What to do with a federated sign-up whose email a native user already has. */
export const LINK_MODES = ['link', 'deny', 'off'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export interface PreSignUpConfig {
  /** Allowed domains; empty allows every domain not otherwise refused. */
  allowDomains: DomainSet;
  /** Refused domains; checked first. */
  denyDomains: DomainSet;
  /** Disposable-email domains refused unless explicitly allowed; undefined when not blocked. */
  disposableDomains: DomainSet | undefined;
  /** SHA-256 digests of the accepted invite codes; empty: no invite code needed. */
  inviteCodeHashes: Buffer[];
  /** Apply the domain lists to PreSignUp_AdminCreateUser too. */
  checkAdminCreated: boolean;
  /** Sources whose users are auto-confirmed. */
  autoConfirm: ReadonlySet<SignUpSource>;
  /** Sources whose email is auto-verified. */
  autoVerifyEmail: ReadonlySet<SignUpSource>;
  /** Sources whose phone number is auto-verified. */
  autoVerifyPhone: ReadonlySet<SignUpSource>;
  /** Federated account linking mode. */
  linkFederated: LinkMode;
  /** Lower-cased provider names whose emails count as verified. */
  trustedEmailProviders: ReadonlySet<string>;
  /** Timeout of one Cognito API call, ms. */
  requestTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function domainList(name: string, env: Env): string[] {
  return getListFromEnv(name, { env, defaultValue: [] }).map((raw) => {
    const domain = normalizeDomain(raw);
    // The value is an admin's domain list, not a secret: naming the bad entry helps.
    if (domain === undefined) throw new ConfigError(name, `holds "${raw}", which is not a domain`);
    return domain;
  });
}

function sourceSet(name: string, env: Env, defaultValue: SignUpSource[]): Set<SignUpSource> {
  const items = getListFromEnv(name, { env, defaultValue });
  const sources = new Set<SignUpSource>();
  // `none` says "no source" explicitly (an empty variable means "the default").
  if (items.length === 1 && items[0]?.toLowerCase() === 'none') return sources;
  for (const item of items) {
    const source = SIGN_UP_SOURCES.find((known) => known.toLowerCase() === item.toLowerCase());
    if (source === undefined) {
      throw new ConfigError(name, `holds "${item}"; allowed: SignUp, ExternalProvider`);
    }
    if (source === 'AdminCreateUser') {
      // Cognito ignores these flags for admin-created users; accepting it would mislead.
      throw new ConfigError(name, 'cannot name AdminCreateUser: Cognito ignores the flag there');
    }
    sources.add(source);
  }
  return sources;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

function inviteHashes(env: Env): Buffer[] {
  const name = PRE_SIGNUP_ENV.inviteCodeSha256;
  return getListFromEnv(name, { env, defaultValue: [] }).map((hex, index) => {
    if (!SHA256_HEX.test(hex)) {
      throw new ConfigError(name, `item ${index + 1} must be a SHA-256 hash of 64 hex digits`);
    }
    return Buffer.from(hex, 'hex');
  });
}

/** Reads and validates the configuration; throws a ConfigError naming a bad variable. */
export function loadConfig(env: Env = process.env): PreSignUpConfig {
  const source = { env };
  const blockDisposable = getBooleanFromEnv(PRE_SIGNUP_ENV.blockDisposable, {
    ...source,
    defaultValue: true,
  });
  const extraDisposable = domainList(PRE_SIGNUP_ENV.extraDisposableDomains, env);
  return {
    allowDomains: new DomainSet(domainList(PRE_SIGNUP_ENV.allowDomains, env)),
    denyDomains: new DomainSet(domainList(PRE_SIGNUP_ENV.denyDomains, env)),
    disposableDomains: blockDisposable
      ? new DomainSet([...DISPOSABLE_DOMAINS, ...extraDisposable])
      : undefined,
    inviteCodeHashes: inviteHashes(env),
    checkAdminCreated: getBooleanFromEnv(PRE_SIGNUP_ENV.checkAdminCreated, {
      ...source,
      defaultValue: false,
    }),
    autoConfirm: sourceSet(PRE_SIGNUP_ENV.autoConfirm, env, ['ExternalProvider']),
    autoVerifyEmail: sourceSet(PRE_SIGNUP_ENV.autoVerifyEmail, env, ['ExternalProvider']),
    autoVerifyPhone: sourceSet(PRE_SIGNUP_ENV.autoVerifyPhone, env, []),
    linkFederated: getEnumFromEnv(PRE_SIGNUP_ENV.linkFederated, LINK_MODES, {
      ...source,
      defaultValue: 'link',
    }),
    trustedEmailProviders: new Set(
      getListFromEnv(PRE_SIGNUP_ENV.trustedEmailProviders, { ...source, defaultValue: [] }).map(
        (name) => name.toLowerCase(),
      ),
    ),
    requestTimeoutMs: getIntFromEnv(PRE_SIGNUP_ENV.requestTimeoutMs, {
      ...source,
      min: 50,
      max: 4_000,
      defaultValue: 1_000,
    }),
  };
}
