import { createAuditor, createMemorySink, type MemorySink } from '@authwatch/audit';
import { GENERIC_USER_MESSAGE, lazy, UserFacingError } from '@authwatch/kit';
import { createLambdaContext } from '@authwatch/testing';
import {
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPreSignUpHandler } from '../../src/app.js';
import { cognitoDirectory } from '../../src/cognito.js';
import { PRE_SIGNUP_ENV } from '../../src/config.js';
import { LINK_FAILED_REASON } from '../../src/pre-signup.js';
import { config, rawEvent, sha256Hex, withEmail } from '../helpers.js';

const cognito = mockClient(CognitoIdentityProviderClient);
let sink: MemorySink;

function handlerWith(env: Record<string, string> = {}) {
  sink = createMemorySink();
  const fallbackLines: unknown[] = [];
  return createPreSignUpHandler({
    config: config(env),
    auditor: createAuditor({
      sinks: [sink],
      fallback: (events) => fallbackLines.push(...events),
      metrics: { addMetric: () => undefined },
    }),
    directory: cognitoDirectory(new CognitoIdentityProviderClient({ region: 'us-east-1' })),
  });
}

const NATIVE: UserType = {
  Username: 'a1b2c3d4-native',
  UserStatus: 'CONFIRMED',
  Enabled: true,
  Attributes: [
    { Name: 'email', Value: 'user.one@example.com' },
    { Name: 'email_verified', Value: 'true' },
  ],
};

beforeEach(() => {
  cognito.reset();
});

describe('pre sign-up handler', () => {
  it('returns the event with the response and records an allowed sign-up', async () => {
    // Prepare
    const handler = handlerWith({ [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp' });
    const event = rawEvent('sign-up');
    // Act
    const result = await handler(structuredClone(event), createLambdaContext());
    // Assess
    expect(result).toEqual({
      ...event,
      response: { autoConfirmUser: true, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      metadata: { log_name: 'sign-up-allowed', event_code: 'PreSignUp_SignUp' },
      status: 'Success',
      unmapped: { autoConfirmed: true, clientId: '1example23456789abcdefghij' },
      src_endpoint: { ip: '203.0.113.10' },
    });
    expect(sink.events[0]?.user.email_addr).toBeUndefined();
  });

  it('records the denial and then refuses with a user-facing message without the email', async () => {
    // Prepare
    const handler = handlerWith({ [PRE_SIGNUP_ENV.denyDomains]: 'example.com' });
    // Act
    const attempt = handler(rawEvent('sign-up'), createLambdaContext());
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UserFacingError);
    await expect(attempt).rejects.toThrow(/^sign-up with this email domain is not allowed$/);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      metadata: { log_name: 'sign-up-denied' },
      class_name: 'Account Change',
      status: 'Failure',
      status_detail: 'domain-denied',
      unmapped: { reason: 'domain-denied' },
    });
    expect(sink.events[0]?.user.email_addr).toBeUndefined();
    expect(JSON.stringify(sink.events[0]?.unmapped)).not.toContain('user.one@example.com');
  });

  it('refuses a wrong invite code and never records the code', async () => {
    const handler = handlerWith({ [PRE_SIGNUP_ENV.inviteCodeSha256]: sha256Hex('OTHER') });
    await expect(handler(rawEvent('sign-up'), createLambdaContext())).rejects.toThrow(
      'a valid invite code is required to sign up',
    );
    expect(sink.events[0]?.status_detail).toBe('invite-code-invalid');
    expect(JSON.stringify(sink.events)).not.toContain('WELCOME-2026');
  });

  it('refuses a disposable address', async () => {
    const handler = handlerWith();
    await expect(
      handler(rawEvent('sign-up', withEmail('x@mailinator.com')), createLambdaContext()),
    ).rejects.toThrow('sign-up with a disposable email address is not allowed');
  });

  it('allows an admin-created user with every flag false', async () => {
    const handler = handlerWith({ [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp' });
    const result = await handler(rawEvent('admin-create-user'), createLambdaContext());
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(sink.events[0]?.metadata.event_code).toBe('PreSignUp_AdminCreateUser');
  });

  it('builds the Cognito client on the first federated sign-up only', async () => {
    // Prepare: the directory over a client built on first use, as the Lambda entry does
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    let builds = 0;
    const handler = createPreSignUpHandler({
      config: config({ [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp' }),
      auditor: createAuditor({ sinks: [createMemorySink()] }),
      directory: cognitoDirectory(
        lazy(() => {
          builds += 1;
          return new CognitoIdentityProviderClient({ region: 'us-east-1' });
        }),
      ),
    });
    // Act
    await handler(rawEvent('sign-up'), createLambdaContext());
    await handler(rawEvent('admin-create-user'), createLambdaContext());
    const beforeFederated = builds;
    await handler(rawEvent('external-provider'), createLambdaContext());
    await handler(rawEvent('external-provider'), createLambdaContext());
    // Assess
    expect(beforeFederated).toBe(0);
    expect(builds).toBe(1);
    expect(cognito.commandCalls(ListUsersCommand).length).toBeGreaterThanOrEqual(2);
  });

  it('links a federated identity to the native user with the same verified email', async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [NATIVE] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const handler = handlerWith();
    // Act
    const result = await handler(rawEvent('external-provider'), createLambdaContext());
    // Assess
    expect(result.response).toEqual({
      autoConfirmUser: true,
      autoVerifyEmail: true,
      autoVerifyPhone: false,
    });
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input).toMatchObject({
      UserPoolId: 'us-east-1_EXAMPLE1a',
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'a1b2c3d4-native' },
      SourceUser: { ProviderName: 'Google', ProviderAttributeValue: '104811224458935764153' },
    });
    expect(sink.events[0]).toMatchObject({
      metadata: { log_name: 'sign-up-allowed' },
      unmapped: { linkedToUser: 'a1b2c3d4-native' },
    });
  });

  it('auto-confirms a federated user when no native user has the email', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const handler = handlerWith();
    const result = await handler(rawEvent('external-provider'), createLambdaContext());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
    expect(sink.events[0]?.unmapped).not.toHaveProperty('linkedToUser');
  });

  it('never links on an email the IdP did not verify', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [NATIVE] });
    const handler = handlerWith();
    const result = await handler(
      rawEvent('external-provider-unverified-email'),
      createLambdaContext(),
    );
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: false });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it('refuses the duplicate instead of linking when configured to deny', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [NATIVE] });
    const handler = handlerWith({ [PRE_SIGNUP_ENV.linkFederated]: 'deny' });
    await expect(handler(rawEvent('external-provider'), createLambdaContext())).rejects.toThrow(
      'an account with this email address already exists, please sign in to it',
    );
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
    expect(sink.events[0]?.status_detail).toBe('account-exists');
  });

  it('does not look for a native user when linking is off', async () => {
    const handler = handlerWith({ [PRE_SIGNUP_ENV.linkFederated]: 'off' });
    await handler(rawEvent('external-provider'), createLambdaContext());
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
  });

  it('fails closed with a generic message when the lookup fails, and records it', async () => {
    cognito.on(ListUsersCommand).rejects(new Error('ThrottlingException'));
    const handler = handlerWith();
    const attempt = handler(rawEvent('external-provider'), createLambdaContext());
    await expect(attempt).rejects.toThrow(GENERIC_USER_MESSAGE);
    await expect(attempt).rejects.not.toBeInstanceOf(UserFacingError);
    expect(sink.events[0]).toMatchObject({ status: 'Failure', status_detail: LINK_FAILED_REASON });
  });

  it('fails closed when the link itself fails', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [NATIVE] });
    cognito.on(AdminLinkProviderForUserCommand).rejects(new Error('InvalidParameterException'));
    const handler = handlerWith();
    await expect(handler(rawEvent('external-provider'), createLambdaContext())).rejects.toThrow(
      GENERIC_USER_MESSAGE,
    );
    expect(sink.events[0]?.status_detail).toBe(LINK_FAILED_REASON);
  });

  it('refuses a malformed event without recording a sign-up', async () => {
    const handler = handlerWith();
    await expect(
      handler({ ...rawEvent('sign-up'), triggerSource: 'PreSignUp_Other' }, createLambdaContext()),
    ).rejects.toThrow(GENERIC_USER_MESSAGE);
    expect(sink.events).toHaveLength(0);
  });
});

describe('handler module', () => {
  it('builds its config, auditor and client at import and answers a sign-up', async () => {
    // Prepare
    const saved = { ...process.env };
    process.env.AUDIT_ENABLED = 'false';
    process.env.AWS_REGION = 'us-east-1';
    process.env[PRE_SIGNUP_ENV.autoConfirm] = 'SignUp';
    try {
      // Act
      const { handler } = await import('../../src/handler.js');
      const result = (await handler(rawEvent('sign-up'), createLambdaContext())) as {
        response: unknown;
      };
      // Assess
      expect(result.response).toMatchObject({ autoConfirmUser: true });
    } finally {
      process.env = saved;
    }
  });
});
