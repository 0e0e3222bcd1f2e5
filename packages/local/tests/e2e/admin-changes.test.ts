/**
 * Admin actions and configuration changes in the audit stream, end to end through the
 * local stack with the real SDK: each call's CloudTrail record (written by the emulator
 * with the caller's access key from the Authorization header) is delivered in SQS
 * batches to the real cloudtrail handler, which writes one OCSF event per call with the
 * actor. A trigger detached by UpdateUserPool really stops being called.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  DeleteGroupCommand,
  DeleteIdentityProviderCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/stack.js';
import { adminSession, startTestStack } from './helpers.js';

/** The access key the admin's requests are signed with (what CloudTrail records). */
const ACCESS_KEY = 'AKIAADMINEXAMPLE0001';
const NEW_PASSWORD = 'Another-Passw0rd!';

type AuditRecord = {
  class_uid: number;
  activity_id: number;
  status_id: number;
  severity_id: number;
  metadata: { uid: string; log_name: string; log_provider: string };
  api?: { operation: string };
  actor?: { user: { uid?: string; credential_uid?: string; type?: string } };
  user: { uid?: string };
  src_endpoint?: { ip: string };
  privileges?: string[];
  unmapped: Record<string, unknown>;
};

let stack: Awaited<ReturnType<typeof startTestStack>>;
let admin: CognitoIdentityProviderClient;
let poolId: string;
let demoSub: string;
let newRecords: () => Promise<AuditRecord[]>;

const adminEvents = (records: AuditRecord[]) =>
  records.filter((record) => record.metadata.log_name === 'admin-change');

beforeAll(async () => {
  stack = await startTestStack();
  ({ admin, poolId, demoSub, newRecords } = await adminSession<AuditRecord>(stack, ACCESS_KEY));
  await newRecords();
}, 120_000);

afterAll(async () => {
  admin?.destroy();
  await stack?.cleanup();
});

describe('admin changes, end to end', () => {
  it('records each admin and configuration call once, with the actor and its access key', async () => {
    const partner = await admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'partner' }),
    );
    const partnerId = partner.UserPoolClient?.ClientId;
    const calls: [string, () => Promise<unknown>][] = [
      [
        'AdminAddUserToGroup',
        () =>
          admin.send(
            new AdminAddUserToGroupCommand({
              UserPoolId: poolId,
              Username: DEMO_USER.email,
              GroupName: 'admins',
            }),
          ),
      ],
      [
        'AdminRemoveUserFromGroup',
        () =>
          admin.send(
            new AdminRemoveUserFromGroupCommand({
              UserPoolId: poolId,
              Username: DEMO_USER.email,
              GroupName: 'admins',
            }),
          ),
      ],
      [
        'AdminSetUserPassword',
        () =>
          admin.send(
            new AdminSetUserPasswordCommand({
              UserPoolId: poolId,
              Username: DEMO_USER.email,
              Password: NEW_PASSWORD,
              Permanent: true,
            }),
          ),
      ],
      [
        'AdminUpdateUserAttributes',
        () =>
          admin.send(
            new AdminUpdateUserAttributesCommand({
              UserPoolId: poolId,
              Username: DEMO_USER.email,
              UserAttributes: [{ Name: 'custom:tenant_id', Value: 'tenant-2' }],
            }),
          ),
      ],
      [
        'AdminUserGlobalSignOut',
        () =>
          admin.send(
            new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: DEMO_USER.email }),
          ),
      ],
      [
        'AdminCreateUser',
        () =>
          admin.send(
            new AdminCreateUserCommand({
              UserPoolId: poolId,
              Username: 'temp@example.com',
              MessageAction: 'SUPPRESS',
              UserAttributes: [{ Name: 'email', Value: 'temp@example.com' }],
            }),
          ),
      ],
      [
        'AdminDisableUser',
        () =>
          admin.send(
            new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'temp@example.com' }),
          ),
      ],
      [
        'AdminEnableUser',
        () =>
          admin.send(
            new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'temp@example.com' }),
          ),
      ],
      [
        'AdminDeleteUser',
        () =>
          admin.send(
            new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'temp@example.com' }),
          ),
      ],
      [
        'CreateGroup',
        () => admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'ops' })),
      ],
      [
        'UpdateGroup',
        () =>
          admin.send(
            new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'ops', Precedence: 3 }),
          ),
      ],
      [
        'DeleteGroup',
        () => admin.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'ops' })),
      ],
      [
        'CreateIdentityProvider',
        () =>
          admin.send(
            new CreateIdentityProviderCommand({
              UserPoolId: poolId,
              ProviderName: 'Corp',
              ProviderType: 'OIDC',
              ProviderDetails: {
                client_id: 'corp',
                client_secret: 'corp-idp-secret-value',
                oidc_issuer: 'https://idp.example.com',
                authorize_scopes: 'openid',
                attributes_request_method: 'GET',
              },
            }),
          ),
      ],
      [
        'UpdateIdentityProvider',
        () =>
          admin.send(
            new UpdateIdentityProviderCommand({
              UserPoolId: poolId,
              ProviderName: 'Corp',
              ProviderDetails: { authorize_scopes: 'openid email' },
            }),
          ),
      ],
      [
        'UpdateUserPoolClient',
        () =>
          admin.send(
            new UpdateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientId: partnerId,
              CallbackURLs: ['https://evil.example.net/cb'],
              AllowedOAuthFlows: ['code'],
              AllowedOAuthScopes: ['openid'],
              AllowedOAuthFlowsUserPoolClient: true,
            }),
          ),
      ],
      [
        'DeleteUserPoolClient',
        () =>
          admin.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: partnerId })),
      ],
      [
        'DeleteIdentityProvider',
        () =>
          admin.send(
            new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }),
          ),
      ],
      [
        'SetUserPoolMfaConfig',
        () =>
          admin.send(
            new SetUserPoolMfaConfigCommand({
              UserPoolId: poolId,
              MfaConfiguration: 'OPTIONAL',
              SoftwareTokenMfaConfiguration: { Enabled: true },
            }),
          ),
      ],
    ];
    await newRecords();

    for (const [, call] of calls) await call();

    const records = adminEvents(await newRecords());
    // One event per call (objects are written per class, so not in call order).
    expect(records.map((record) => record.api?.operation).sort()).toEqual(
      calls.map(([name]) => name).sort(),
    );
    for (const record of records) {
      expect(record.metadata.log_provider).toBe('cloudtrail');
      expect(record.status_id).toBe(1);
      expect(record.actor?.user).toMatchObject({
        uid: 'arn:aws:iam::000000000000:user/local',
        credential_uid: ACCESS_KEY,
        type: 'IAMUser',
      });
      expect(record.src_endpoint?.ip).toBe('127.0.0.1');
    }
    const grant = records.find((record) => record.api?.operation === 'AdminAddUserToGroup');
    expect(grant).toMatchObject({
      class_uid: 3005,
      activity_id: 1,
      privileges: ['admins'],
      user: { uid: demoSub },
      unmapped: { groupName: 'admins', privileged: true },
    });
    const byName = new Map(records.map((record) => [record.api?.operation, record]));
    expect(byName.get('AdminSetUserPassword')).toMatchObject({ class_uid: 3001, activity_id: 3 });
    expect(byName.get('UpdateUserPoolClient')?.unmapped.clientWidened).toBe(true);
    expect(JSON.stringify(records)).not.toContain('corp-idp-secret-value');
    expect(JSON.stringify(records)).not.toContain(NEW_PASSWORD);
  }, 60_000);

  it('stops calling a detached trigger; the change, the earlier admin grant and the drift become findings', async () => {
    const signIn = () =>
      admin.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          // The client with USER_PASSWORD_AUTH (the web client is SRP and custom auth only).
          ClientId: stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: NEW_PASSWORD },
        }),
      );
    await signIn();
    await stack.detections.runNow();
    const attached = await newRecords();
    // As set up, the pool matches its baseline: no drift finding.
    const driftBefore = attached.filter(
      (r) =>
        (r as unknown as { finding_info?: { analytic: { uid: string } } }).finding_info?.analytic
          .uid === 'pool-config-drift',
    );
    expect(driftBefore).toEqual([]);
    expect(attached.some((r) => r.metadata.log_name === 'sign-in-attempt')).toBe(true);
    const pool = (await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId })))
      .UserPool as UserPoolType;
    const { PreAuthentication, ...rest } = pool.LambdaConfig ?? {};
    expect(PreAuthentication).toBeDefined();

    await admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        LambdaConfig: rest,
        Policies: pool.Policies,
        AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      }),
    );
    const change = adminEvents(await newRecords());
    await signIn();
    const detached = await newRecords();
    // The detect handler's run (rules on DuckDB, and the drift check) while detached.
    await stack.detections.runNow();
    // The grant was found by the run before the change (a finding is new only once).
    const findings = [...attached, ...(await newRecords())].filter(
      (record) => record.class_uid === 2004,
    ) as unknown as {
      finding_info: { analytic: { uid: string } };
      severity_id: number;
      user: { uid?: string };
      evidences: { data: { values: Record<string, string[]> } }[];
    }[];

    expect(change).toHaveLength(1);
    expect(change[0]).toMatchObject({
      class_uid: 6003,
      activity_id: 3,
      severity_id: 4,
      api: { operation: 'UpdateUserPool' },
      actor: { user: { credential_uid: ACCESS_KEY } },
      unmapped: { triggerTampered: true },
    });
    expect(change[0]?.unmapped.weakened).toBeUndefined();
    expect(detached.some((r) => r.metadata.log_name === 'sign-in-attempt')).toBe(false);
    expect(detached.some((r) => r.metadata.log_name === 'logon-succeeded')).toBe(true);
    const analytics = findings.map((finding) => finding.finding_info.analytic.uid);
    expect(analytics).toEqual(
      expect.arrayContaining([
        'authwatch-trigger-tampered',
        'pool-config-drift',
        'privileged-group-grant',
      ]),
    );
    expect(
      findings.find((f) => f.finding_info.analytic.uid === 'privileged-group-grant')?.user.uid,
    ).toBe(demoSub);
    expect(
      findings.find((f) => f.finding_info.analytic.uid === 'authwatch-trigger-tampered')
        ?.severity_id,
    ).toBe(4);
    const drift = findings.find((f) => f.finding_info.analytic.uid === 'pool-config-drift');
    expect(drift?.evidences[0]?.data.values.drift).toEqual([
      `LambdaConfig.PreAuthentication: ${PreAuthentication} -> (detached)`,
    ]);

    await admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        LambdaConfig: pool.LambdaConfig,
        Policies: pool.Policies,
        AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      }),
    );
    const restored = adminEvents(await newRecords());
    await signIn();
    expect(restored[0]?.unmapped.triggerTampered).toBe(false);
    expect((await newRecords()).some((r) => r.metadata.log_name === 'sign-in-attempt')).toBe(true);
  }, 60_000);
});
