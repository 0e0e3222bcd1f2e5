/**
 * One pre sign-up invocation: the policy's decision, the account-linking step for a
 * federated sign-up, and the audit events to emit. Returns the outcome; the handler
 * emits the events and then returns the response or throws the error.
 *
 * Account linking follows the pattern AWS documents for AdminLinkProviderForUser: the
 * federated identity "has not yet been used to sign in", so it is linked here, during
 * its first sign-in, and the trigger then lets the sign-in continue. Cognito signs the
 * person in as the linked native user and creates no second user. (Before 2023 Cognito
 * failed that first sign-in with "Already found an entry for username" and the common
 * workaround was to throw and make the client retry; that is no longer needed, see
 * aws-amplify/amplify-flutter#1716 and aws-amplify/amplify-cli#12874.)
 */
import {
  type AuditEvent,
  auditContextFromEvent,
  signUpAllowed,
  signUpDenied,
} from '@authwatch/audit';
import { type PreSignUpEvent, UserFacingError } from '@authwatch/kit';
import type { UserDirectory } from './cognito.js';
import type { PreSignUpConfig } from './config.js';
import {
  DENIAL_MESSAGES,
  type DenialReason,
  evaluatePolicy,
  type PreSignUpResponse,
} from './policy.js';

/** The audit reason recorded when the linking lookup itself failed. */
export const LINK_FAILED_REASON = 'account-link-failed';

export interface PreSignUpOutcome {
  /** Events to emit before answering. */
  audit: AuditEvent[];
  /** The response, when the sign-up goes on. */
  response?: PreSignUpResponse;
  /** The error to throw after emitting (a UserFacingError for a policy denial). */
  error?: Error;
  /** The native user the federated identity was linked to. */
  linkedTo?: string;
}

export interface PreSignUpDeps {
  directory: UserDirectory;
  /** Epoch ms by which Cognito calls must end. */
  deadline: number;
  now: number;
  /** Keep the email in the audit context (the auditor decides again). */
  includeEmail?: boolean;
}

function deny(event: PreSignUpEvent, deps: PreSignUpDeps, reason: DenialReason): PreSignUpOutcome {
  const ctx = auditContextFromEvent(event, deps.now, { includeEmail: deps.includeEmail ?? false });
  return {
    audit: [signUpDenied(ctx, { reason })],
    error: new UserFacingError(DENIAL_MESSAGES[reason]),
  };
}

/** Decides one sign-up, linking a federated identity when configured. */
export async function preSignUp(
  event: PreSignUpEvent,
  config: PreSignUpConfig,
  deps: PreSignUpDeps,
): Promise<PreSignUpOutcome> {
  const decision = evaluatePolicy(event, config);
  if (!decision.allowed) return deny(event, deps, decision.reason);

  const ctx = auditContextFromEvent(event, deps.now, { includeEmail: deps.includeEmail ?? false });
  const { response, federated } = decision;
  // Only an email the IdP verified may take over a native account: an unverified one
  // could be anybody's.
  if (
    federated !== undefined &&
    config.linkFederated !== 'off' &&
    federated.email !== undefined &&
    federated.emailVerified
  ) {
    let nativeUserName: string | undefined;
    try {
      nativeUserName = await deps.directory.findNativeUser(
        event.userPoolId,
        federated.email,
        deps.deadline,
      );
      if (nativeUserName !== undefined && config.linkFederated === 'link') {
        await deps.directory.linkIdentity(
          event.userPoolId,
          {
            nativeUserName,
            providerName: federated.providerName,
            providerUserId: federated.providerUserId,
          },
          deps.deadline,
        );
      }
    } catch (error) {
      // Fail closed: without the lookup a duplicate account would be created. The
      // wrapper logs the error and shows the user a generic "try again" message.
      return {
        audit: [signUpDenied(ctx, { reason: LINK_FAILED_REASON })],
        error: new Error('federated account linking failed', { cause: error }),
      };
    }
    if (nativeUserName !== undefined) {
      if (config.linkFederated === 'deny') return deny(event, deps, 'account-exists');
      return {
        audit: [
          signUpAllowed(ctx, {
            autoConfirmed: response.autoConfirmUser,
            linkedToUser: nativeUserName,
          }),
        ],
        response,
        linkedTo: nativeUserName,
      };
    }
  }
  return { audit: [signUpAllowed(ctx, { autoConfirmed: response.autoConfirmUser })], response };
}
