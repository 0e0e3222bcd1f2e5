/**
 * The sign-up policy: a pure function of the pre sign-up event and the config. It
 * decides whether the sign-up may go on, which auto-confirm / auto-verify flags to
 * return, and, for a federated sign-up, which identity a link would concern. No I/O:
 * the account-linking lookup happens in `pre-signup.ts`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PreSignUpEvent } from '@authwatch/kit';
import type { PreSignUpConfig, SignUpSource } from './config.js';
import { emailDomain } from './domains.js';

/** Why a sign-up was refused; the audit record carries it. */
export const DENIAL_REASONS = [
  'invalid-email',
  'email-required',
  'domain-denied',
  'domain-not-allowed',
  'disposable-domain',
  'invite-code-missing',
  'invite-code-invalid',
  'account-exists',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/**
 * What the user reads, after Cognito's "PreSignUp failed with error ". Never the
 * email, the domain or the code: only what to do about it.
 */
export const DENIAL_MESSAGES: Readonly<Record<DenialReason, string>> = {
  'invalid-email': 'the email address is not valid',
  'email-required': 'an email address is required to sign up',
  'domain-denied': 'sign-up with this email domain is not allowed',
  'domain-not-allowed': 'sign-up with this email domain is not allowed',
  'disposable-domain': 'sign-up with a disposable email address is not allowed',
  'invite-code-missing': 'a valid invite code is required to sign up',
  'invite-code-invalid': 'a valid invite code is required to sign up',
  'account-exists': 'an account with this email address already exists, please sign in to it',
};

/** The response flags Cognito reads from a pre sign-up trigger. */
export interface PreSignUpResponse {
  autoConfirmUser: boolean;
  autoVerifyEmail: boolean;
  autoVerifyPhone: boolean;
}

/** The external identity of a PreSignUp_ExternalProvider event. */
export interface FederatedIdentity {
  /** Provider name as AdminLinkProviderForUser expects it, e.g. `Google`, `MyCorpSAML`. */
  providerName: string;
  /** The user's id at the provider (the part of userName after `<Provider>_`). */
  providerUserId: string;
  /** The email the IdP sent, if any. */
  email: string | undefined;
  /** The IdP says the email is verified (or the provider is trusted for emails). */
  emailVerified: boolean;
}

export type PolicyDecision =
  | { allowed: false; reason: DenialReason }
  | { allowed: true; response: PreSignUpResponse; federated?: FederatedIdentity };

/** The short name of a trigger source, as the config writes it. */
export function sourceOf(triggerSource: PreSignUpEvent['triggerSource']): SignUpSource {
  return triggerSource.slice('PreSignUp_'.length) as SignUpSource;
}

/** Social providers' names as AdminLinkProviderForUser spells them. */
const SOCIAL_PROVIDERS = ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'];
const SOCIAL_BY_LOWER = new Map(SOCIAL_PROVIDERS.map((name) => [name.toLowerCase(), name]));

/**
 * Splits a federated user name `<Provider>_<id>` at its first underscore (provider
 * names cannot hold one; ids, e.g. a SAML NameID, can). Social provider names are
 * given their canonical case: Cognito has been seen to send `google_...`.
 */
export function parseFederatedUserName(
  userName: string,
): { providerName: string; providerUserId: string } | undefined {
  const underscore = userName.indexOf('_');
  if (underscore <= 0 || underscore === userName.length - 1) return undefined;
  const raw = userName.slice(0, underscore);
  return {
    providerName: SOCIAL_BY_LOWER.get(raw.toLowerCase()) ?? raw,
    providerUserId: userName.slice(underscore + 1),
  };
}

/** SHA-256 of a UTF-8 string. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether `code` is one of the accepted invite codes. The code's hash is compared with
 * every configured hash in constant time, without stopping at a match, so neither
 * the comparison nor the number of comparisons tells anything about the codes.
 */
export function inviteCodeMatches(code: string, hashes: readonly Buffer[]): boolean {
  const digest = sha256(code);
  let matched = false;
  for (const hash of hashes) {
    if (hash.length === digest.length && timingSafeEqual(hash, digest)) matched = true;
  }
  return matched;
}

function attribute(event: PreSignUpEvent, name: string): string | undefined {
  const value = event.request.userAttributes[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function checkDomain(email: string | undefined, config: PreSignUpConfig): DenialReason | undefined {
  if (email === undefined) {
    // An allow list can only be enforced on an email; a pool without one cannot use it.
    return config.allowDomains.size > 0 ? 'email-required' : undefined;
  }
  const domain = emailDomain(email);
  if (domain === undefined) return 'invalid-email';
  if (config.denyDomains.has(domain)) return 'domain-denied';
  // An explicitly allowed domain overrides the bundled disposable list (an admin's choice).
  if (config.allowDomains.has(domain)) return undefined;
  if (config.disposableDomains?.has(domain)) return 'disposable-domain';
  if (config.allowDomains.size > 0) return 'domain-not-allowed';
  return undefined;
}

function checkInviteCode(event: PreSignUpEvent, config: PreSignUpConfig): DenialReason | undefined {
  if (config.inviteCodeHashes.length === 0) return undefined;
  const code = event.request.validationData.inviteCode;
  if (code === undefined || code === '') return 'invite-code-missing';
  return inviteCodeMatches(code, config.inviteCodeHashes) ? undefined : 'invite-code-invalid';
}

const NO_FLAGS: PreSignUpResponse = {
  autoConfirmUser: false,
  autoVerifyEmail: false,
  autoVerifyPhone: false,
};

/**
 * Decides a sign-up. Rules, in order:
 * 1. PreSignUp_AdminCreateUser is allowed with every flag false (Cognito ignores them)
 *    unless `checkAdminCreated` applies the domain lists to it too.
 * 2. Email domain: deny list, then allow list (which overrides the disposable list),
 *    then the disposable list, then "not on the allow list". Subdomains match.
 * 3. Invite code, for PreSignUp_SignUp only (a federated or admin sign-up has no
 *    validation data to carry one).
 * 4. Flags per source: autoVerifyEmail only with an email (and, federated, only when
 *    the IdP verified it), autoVerifyPhone only with a phone number (federated: only
 *    when the IdP verified it).
 *
 * Never throws for any event the schema accepts.
 */
export function evaluatePolicy(event: PreSignUpEvent, config: PreSignUpConfig): PolicyDecision {
  const source = sourceOf(event.triggerSource);
  const email = attribute(event, 'email');
  const phone = attribute(event, 'phone_number');

  if (source === 'AdminCreateUser') {
    if (config.checkAdminCreated) {
      const reason = checkDomain(email, config);
      if (reason !== undefined) return { allowed: false, reason };
    }
    return { allowed: true, response: { ...NO_FLAGS } };
  }

  const domainReason = checkDomain(email, config);
  if (domainReason !== undefined) return { allowed: false, reason: domainReason };

  if (source === 'SignUp') {
    const inviteReason = checkInviteCode(event, config);
    if (inviteReason !== undefined) return { allowed: false, reason: inviteReason };
    return {
      allowed: true,
      response: {
        autoConfirmUser: config.autoConfirm.has(source),
        autoVerifyEmail: config.autoVerifyEmail.has(source) && email !== undefined,
        autoVerifyPhone: config.autoVerifyPhone.has(source) && phone !== undefined,
      },
    };
  }

  // PreSignUp_ExternalProvider
  const identity = parseFederatedUserName(event.userName);
  const providerName = identity?.providerName;
  const emailVerified =
    email !== undefined &&
    (attribute(event, 'email_verified') === 'true' ||
      (providerName !== undefined && config.trustedEmailProviders.has(providerName.toLowerCase())));
  const phoneVerified = phone !== undefined && attribute(event, 'phone_number_verified') === 'true';
  const response: PreSignUpResponse = {
    autoConfirmUser: config.autoConfirm.has(source),
    autoVerifyEmail: config.autoVerifyEmail.has(source) && emailVerified,
    autoVerifyPhone: config.autoVerifyPhone.has(source) && phoneVerified,
  };
  if (identity === undefined) return { allowed: true, response };
  return {
    allowed: true,
    response,
    federated: { ...identity, email, emailVerified },
  };
}
