import type { AuditEvent } from '@authwatch/audit';
import { describe, expect, it } from 'vitest';
import { mapManagementRecord } from '../../src/management.js';
import { loadManagementConfig, type ManagementConfig } from '../../src/management-config.js';
import { CONFIG, context, countryGeo, harness, sqsEvent, trailEvent } from '../helpers.js';

const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:authwatch-dev-${name}`;

/** The pool as the CDK app deployed it (what the fixtures' CloudFormation update sets). */
const MANAGEMENT: ManagementConfig = {
  privilegedGroups: ['admins'],
  baseline: {
    triggers: {
      PreSignUp: arn('pre-signup'),
      PreAuthentication: arn('pre-auth'),
      PostAuthentication: arn('post-auth'),
      PreTokenGeneration: arn('pre-token'),
      DefineAuthChallenge: arn('define-auth'),
      CreateAuthChallenge: arn('create-auth'),
      VerifyAuthChallengeResponse: arn('verify-auth'),
    },
    mfa: 'OPTIONAL',
    passwordPolicy: {
      minimumLength: 12,
      requireUppercase: true,
      requireLowercase: true,
      requireNumbers: true,
      requireSymbols: true,
    },
    clients: { callbackURLs: ['https://app.example.com/callback'], oauthFlows: ['code'] },
  },
};

function map(
  name: string,
  change: (detail: Record<string, unknown>) => void = () => undefined,
): AuditEvent {
  const mapped = mapManagementRecord(
    trailEvent(`management/${name}`, change).detail,
    CONFIG,
    countryGeo(),
    MANAGEMENT,
  );
  if (mapped.kind !== 'event') throw new Error(`skipped: ${mapped.reason}`);
  return mapped.event;
}

const request = (detail: Record<string, unknown>) =>
  detail.requestParameters as Record<string, unknown>;

describe('admin actions and configuration changes from CloudTrail', () => {
  describe('users and groups', () => {
    it('records a grant of a privileged group as User Access Management with the actor', () => {
      const event = map('admin-add-user-to-group');

      expect(event).toMatchObject({
        class_uid: 3005,
        activity_id: 1,
        activity_name: 'Assign Privileges',
        type_uid: 300501,
        category_uid: 3,
        status_id: 1,
        severity_id: 3,
        privileges: ['admins'],
        user: { uid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222', type: 'User' },
        api: { operation: 'AdminAddUserToGroup', request: { uid: expect.any(String) } },
        src_endpoint: { ip: '198.51.100.7' },
        service: { uid: 'us-east-1_EXAMPLE1a' },
        metadata: { log_provider: 'cloudtrail', log_name: 'admin-change' },
        unmapped: { groupName: 'admins', privileged: true, changes: ['groupName'] },
      });
      expect(event.actor).toEqual({
        user: {
          uid: `arn:aws:sts::${ACCOUNT}:assumed-role/pool-admin/ops-session`,
          name: 'pool-admin',
          type: 'AssumedRole',
          credential_uid: 'ASIAEXAMPLEKEYID01',
          account: { uid: ACCOUNT },
        },
        session: {
          issuer: `arn:aws:iam::${ACCOUNT}:role/pool-admin`,
          created_time: Date.parse('2026-11-23T21:00:00Z'),
          is_mfa: true,
        },
      });
      expect(event.http_request?.user_agent).toContain('aws-sdk-js/3.917.0');
    });

    it('marks a grant of an ordinary group as not privileged, at informational severity', () => {
      const event = map('admin-add-user-to-group', (d) => {
        request(d).groupName = 'users';
      });

      expect(event.unmapped).toMatchObject({ groupName: 'users', privileged: false });
      expect(event.severity_id).toBe(1);
    });

    it('takes the privileged groups from CLOUDTRAIL_PRIVILEGED_GROUPS', () => {
      const management = loadManagementConfig({ CLOUDTRAIL_PRIVILEGED_GROUPS: 'security, ops' });
      const mapped = mapManagementRecord(
        trailEvent('management/admin-add-user-to-group', (d) => {
          request(d).groupName = 'ops';
        }).detail,
        CONFIG,
        countryGeo(),
        management,
      );

      expect(mapped.kind === 'event' && mapped.event.unmapped.privileged).toBe(true);
    });

    it.each([
      ['admin-remove-user-from-group', 3005, 2, 'Revoke Privileges'],
      ['admin-create-user', 3001, 1, 'Create'],
      ['admin-delete-user', 3001, 6, 'Delete'],
      ['admin-disable-user', 3001, 5, 'Disable'],
      ['admin-enable-user', 3001, 2, 'Enable'],
      ['admin-set-user-password', 3001, 3, 'Password Change'],
      ['admin-reset-user-password', 3001, 4, 'Password Reset'],
      ['admin-update-user-attributes', 3001, 99, 'Attributes Update'],
      ['admin-user-global-sign-out', 3001, 99, 'Global Sign-Out'],
      ['admin-set-user-mfa-preference-off', 3001, 11, 'MFA Factor Disable'],
      ['admin-link-provider-for-user', 3001, 99, 'Link Provider'],
    ])(
      'maps %s to class %i activity %i (%s) on the user’s sub',
      (name, classUid, activityId, activityName) => {
        const event = map(name);

        expect(event).toMatchObject({
          class_uid: classUid,
          activity_id: activityId,
          activity_name: activityName,
          user: { uid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222' },
        });
        expect(event.actor?.user.uid).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
      },
    );

    it('records an admin-set temporary password as a password reset, never the password', () => {
      const event = map('admin-set-user-password', (d) => {
        Object.assign(request(d), { permanent: false, password: 'Unredacted-Passw0rd!' });
      });

      expect(event.activity_name).toBe('Password Reset');
      expect(event.actor?.user).toMatchObject({
        name: 'alice',
        credential_uid: 'AKIAEXAMPLEKEYID02',
      });
      expect(JSON.stringify(event)).not.toContain('Unredacted-Passw0rd!');
    });

    it('names the attributes an admin changed, never their values', () => {
      const event = map('admin-update-user-attributes');

      expect(JSON.parse(event.unmapped.after ?? '{}')).toEqual({
        userAttributes: ['email', 'custom:tenant_id'],
      });
      expect(JSON.stringify(event)).not.toContain('new.address@example.com');
    });

    it('records a failed call as a failure with the reason', () => {
      const event = map('admin-delete-user-not-found');

      expect(event).toMatchObject({
        status_id: 2,
        status_detail: 'user does not exist',
        severity_id: 2,
        unmapped: { errorCode: 'UserNotFoundException' },
      });
      expect(event.user).toEqual({});
    });
  });

  describe('pool configuration', () => {
    it('flags a detached Authwatch trigger at high severity, with the deployed and set LambdaConfig', () => {
      const event = map('update-user-pool-detach-trigger');

      expect(event).toMatchObject({
        class_uid: 6003,
        category_uid: 6,
        activity_id: 3,
        activity_name: 'Update',
        severity_id: 4,
        resources: [{ type: 'UserPool', uid: 'us-east-1_EXAMPLE1a' }],
        unmapped: { triggerTampered: true },
      });
      expect(event.unmapped.weakened).toBeUndefined();
      expect(event.unmapped.changes).toContain('lambdaConfig.preSignUp');
      expect(event.unmapped.changes).not.toContain('lambdaConfig.preAuthentication');
      const before = JSON.parse(event.unmapped.before ?? '{}');
      expect(before.lambdaConfig.PreAuthentication).toBe(arn('pre-auth'));
      expect(JSON.parse(event.unmapped.after ?? '{}').mfaConfiguration).toBe('OPTIONAL');
    });

    it('flags an UpdateUserPool naming only MFA: it detaches every trigger and resets the policy', () => {
      const event = map('update-user-pool-mfa-only');

      expect(event.unmapped).toMatchObject({ triggerTampered: true, weakened: true });
      expect(event.unmapped.changes).toEqual(['mfaConfiguration']);
    });

    it('does not flag the CDK app’s own deploy, made by CloudFormation', () => {
      const event = map('update-user-pool-cloudformation');

      expect(event.unmapped.triggerTampered).toBe(false);
      expect(event.unmapped.weakened).toBeUndefined();
      expect(event.severity_id).toBe(1);
      expect(event.actor?.invoked_by).toBe('cloudformation.amazonaws.com');
      expect(event.src_endpoint).toBeUndefined();
    });

    it('flags MFA turned off, and not MFA turned on', () => {
      expect(map('set-user-pool-mfa-config-off').unmapped.weakened).toBe(true);
      expect(map('set-user-pool-mfa-config-on').unmapped.weakened).toBeUndefined();
    });

    it('flags a client given a callback URL and an OAuth flow it was not deployed with', () => {
      const widened = map('update-user-pool-client-callback');
      const same = map('update-user-pool-client-callback', (d) => {
        Object.assign(request(d), {
          callbackURLs: ['https://app.example.com/callback'],
          allowedOAuthFlows: ['code'],
        });
      });

      expect(widened).toMatchObject({
        resources: [
          { type: 'UserPoolClient', uid: '1example23456789abcdefghij', name: 'web' },
          { type: 'UserPool' },
        ],
        unmapped: { clientWidened: true, clientId: '1example23456789abcdefghij' },
      });
      expect(JSON.parse(widened.unmapped.after ?? '{}').callbackURLs).toContain(
        'https://evil.example.net/cb',
      );
      expect(same.unmapped.clientWidened).toBeUndefined();
    });

    it('records a new identity provider without the secret AWS failed to redact', () => {
      const event = map('create-identity-provider-unredacted');

      expect(event).toMatchObject({
        activity_id: 1,
        resources: [{ type: 'IdentityProvider', name: 'CorpOIDC' }, { type: 'UserPool' }],
      });
      expect(JSON.parse(event.unmapped.after ?? '{}')).toEqual({
        providerName: 'CorpOIDC',
        providerType: 'OIDC',
        providerDetails: {
          client_id: 'corp-client',
          authorize_scopes: 'openid email',
          oidc_issuer: 'https://idp.example.com',
          attributes_request_method: 'GET',
        },
        attributeMapping: ['email', 'username'],
      });
      expect(JSON.stringify(event)).not.toContain('s3cr3t-Value-That-AWS-Forgot-To-Hide');
    });

    it.each([
      ['create-user-pool-client', 1, 'UserPoolClient'],
      ['delete-user-pool-client', 4, 'UserPoolClient'],
      ['delete-identity-provider', 4, 'IdentityProvider'],
      ['create-group', 1, 'Group'],
      ['delete-group', 4, 'Group'],
      ['add-custom-attributes', 3, 'UserPool'],
      ['update-user-pool-domain', 3, 'UserPoolDomain'],
      ['set-risk-configuration', 3, 'UserPool'],
      ['create-user-import-job', 1, 'UserImportJob'],
      ['delete-user-pool', 4, 'UserPool'],
    ])('maps %s to API Activity %i on a %s', (name, activityId, resource) => {
      const event = map(name);

      expect(event).toMatchObject({ class_uid: 6003, activity_id: activityId });
      expect(event.resources?.[0]?.type).toBe(resource);
      expect(event.user).toEqual({});
    });

    it('skips a change to another pool', () => {
      const mapped = mapManagementRecord(
        trailEvent('management/update-user-pool-other-pool').detail,
        CONFIG,
        countryGeo(),
        MANAGEMENT,
      );
      expect(mapped).toEqual({ kind: 'skip', reason: 'other-pool' });
    });
  });

  describe('through the handler', () => {
    it('emits one event per management record of a batch, and still maps sign-in records', async () => {
      const { handler, events } = harness();

      const result = await handler(
        sqsEvent([
          trailEvent('management/admin-add-user-to-group'),
          trailEvent('management/update-user-pool-detach-trigger'),
          trailEvent('initiate-auth-wrong-password'),
        ]),
        context(),
      );

      expect(result).toEqual({ batchItemFailures: [] });
      expect(events().map((event) => event.class_uid)).toEqual([3005, 6003, 3002]);
    });
  });

  describe('configuration', () => {
    it('refuses a baseline that is not JSON, or has a bad field, naming the variable and field', () => {
      expect(() => loadManagementConfig({ CLOUDTRAIL_POOL_BASELINE: '{nope' })).toThrow(
        'Environment variable CLOUDTRAIL_POOL_BASELINE is not JSON',
      );
      expect(() =>
        loadManagementConfig({ CLOUDTRAIL_POOL_BASELINE: '{"mfa":"SOMETIMES"}' }),
      ).toThrow(/CLOUDTRAIL_POOL_BASELINE field mfa/);
      expect(loadManagementConfig({}).privilegedGroups).toEqual(['admins']);
    });
  });
});
