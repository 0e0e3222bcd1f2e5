/**
 * The admin calls beyond users, groups and UpdateUserPool, end to end through the local
 * stack with the real SDK: AdminSetUserMFAPreference, AddCustomAttributes, the user pool
 * domain calls and the risk configuration. Each change leaves one OCSF event with the
 * actor (the IAM user and the access key of the request's Authorization header) in
 * `.local/audit`, written by the real cloudtrail handler from the record the emulator
 * wrote; a refused change leaves its failure; the Describe calls are read-only and leave
 * none. What CloudTrail hides (the user name) is in no event.
 */
import {
  AddCustomAttributesCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolDomainCommand,
  DeleteUserPoolDomainCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  SetRiskConfigurationCommand,
  UpdateUserPoolCommand,
  UpdateUserPoolDomainCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/stack.js';
import { auditRecords, startTestStack } from './helpers.js';

const ACCESS_KEY = 'AKIAADMINEXAMPLE0002';
const CERTIFICATE =
  'arn:aws:acm:us-east-1:000000000000:certificate/11112222-3333-4444-5555-666677778888';

type AuditRecord = {
  class_uid: number;
  activity_id: number;
  status_id: number;
  metadata: { uid: string; log_name: string; log_provider: string };
  api?: { operation: string };
  actor?: { user: { uid?: string; credential_uid?: string; type?: string } };
  user: { uid?: string };
  src_endpoint?: { ip: string };
  resources?: { type: string; name?: string; uid?: string }[];
  unmapped: Record<string, unknown>;
};

let stack: Awaited<ReturnType<typeof startTestStack>>;
let admin: CognitoIdentityProviderClient;
let poolId: string;
let demoSub: string;
const seen = new Set<string>();

async function newAdminEvents(): Promise<AuditRecord[]> {
  await stack.settle();
  const records = (await auditRecords(stack)) as unknown as AuditRecord[];
  const fresh = records.filter((record) => !seen.has(record.metadata.uid));
  for (const record of fresh) seen.add(record.metadata.uid);
  return fresh.filter((record) => record.metadata.log_name === 'admin-change');
}

beforeAll(async () => {
  stack = await startTestStack();
  poolId = stack.outputs.userPoolId;
  admin = new CognitoIdentityProviderClient({
    endpoint: stack.outputs.endpoint,
    region: stack.outputs.region,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'local-secret' },
  });
  const user = await admin.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: DEMO_USER.email }),
  );
  demoSub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  // Threat protection on, everything else as deployed (UpdateUserPool resets what it leaves out).
  const pool = (await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId })))
    .UserPool as UserPoolType;
  await admin.send(
    new UpdateUserPoolCommand({
      UserPoolId: poolId,
      LambdaConfig: pool.LambdaConfig,
      Policies: pool.Policies,
      AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      UserPoolTier: 'PLUS',
    }),
  );
  await newAdminEvents();
}, 120_000);

afterAll(async () => {
  admin?.destroy();
  await stack?.cleanup();
});

describe('MFA preference, custom attributes, domains and risk configuration, end to end', () => {
  it('records each change once with the actor, its access key and what it changed', async () => {
    const domain = 'authwatch-local-ops';
    const custom = 'login.example.com';
    const calls: [string, () => Promise<unknown>][] = [
      [
        'AdminSetUserMFAPreference',
        () =>
          admin.send(
            new AdminSetUserMFAPreferenceCommand({
              UserPoolId: poolId,
              Username: DEMO_USER.email,
              EmailMfaSettings: { Enabled: true, PreferredMfa: true },
            }),
          ),
      ],
      [
        'AddCustomAttributes',
        () =>
          admin.send(
            new AddCustomAttributesCommand({
              UserPoolId: poolId,
              CustomAttributes: [{ Name: 'role', AttributeDataType: 'String', Mutable: true }],
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
              UserAttributes: [{ Name: 'custom:role', Value: 'auditor' }],
            }),
          ),
      ],
      [
        'CreateUserPoolDomain',
        () => admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain })),
      ],
      [
        'CreateUserPoolDomain',
        () =>
          admin.send(
            new CreateUserPoolDomainCommand({
              UserPoolId: poolId,
              Domain: custom,
              CustomDomainConfig: { CertificateArn: CERTIFICATE },
            }),
          ),
      ],
      [
        'UpdateUserPoolDomain',
        () =>
          admin.send(
            new UpdateUserPoolDomainCommand({
              UserPoolId: poolId,
              Domain: domain,
              ManagedLoginVersion: 2,
            }),
          ),
      ],
      [
        'DeleteUserPoolDomain',
        () => admin.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom })),
      ],
      [
        'SetRiskConfiguration',
        () =>
          admin.send(
            new SetRiskConfigurationCommand({
              UserPoolId: poolId,
              AccountTakeoverRiskConfiguration: {
                Actions: { HighAction: { Notify: false, EventAction: 'NO_ACTION' } },
              },
            }),
          ),
      ],
    ];

    for (const [, call] of calls) await call();
    const described = await admin.send(new DescribeUserPoolDomainCommand({ Domain: domain }));
    const risk = await admin.send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId }));
    const user = await admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: DEMO_USER.email }),
    );

    const records = await newAdminEvents();
    // One event per change, none for the Describe and Get calls (objects are per class).
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
    const byName = (name: string) => records.filter((r) => r.api?.operation === name);
    expect(byName('AdminSetUserMFAPreference')[0]).toMatchObject({
      class_uid: 3001,
      activity_id: 10,
      user: { uid: demoSub },
    });
    expect(byName('AddCustomAttributes')[0]).toMatchObject({ class_uid: 6003, activity_id: 3 });
    expect(JSON.stringify(byName('AddCustomAttributes')[0]?.unmapped)).toContain('role');
    expect(byName('CreateUserPoolDomain').map((r) => r.resources?.[0])).toEqual(
      expect.arrayContaining([
        { type: 'UserPoolDomain', name: domain },
        { type: 'UserPoolDomain', name: custom },
      ]),
    );
    expect(byName('UpdateUserPoolDomain')[0]).toMatchObject({ class_uid: 6003, activity_id: 3 });
    expect(byName('DeleteUserPoolDomain')[0]).toMatchObject({ class_uid: 6003, activity_id: 4 });
    expect(byName('SetRiskConfiguration')[0]).toMatchObject({ class_uid: 6003, activity_id: 3 });
    // CloudTrail hides the user name: the events name the user by sub only.
    expect(JSON.stringify(records)).not.toContain(DEMO_USER.email);
    // The calls did what they say.
    expect(described.DomainDescription).toMatchObject({ Domain: domain, ManagedLoginVersion: 2 });
    expect(risk.RiskConfiguration?.AccountTakeoverRiskConfiguration).toBeDefined();
    expect(user.UserMFASettingList).toEqual(['EMAIL_OTP']);
    expect(user.UserAttributes).toContainEqual({ Name: 'custom:role', Value: 'auditor' });
  }, 60_000);

  it('records a refused change as a failure with its error code, and MFA turned off as a disable', async () => {
    const refused = await admin
      .send(
        new AddCustomAttributesCommand({
          UserPoolId: poolId,
          CustomAttributes: [{ Name: 'tenant_id' }],
        }),
      )
      .catch((error: Error) => error);
    await admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: DEMO_USER.email,
        EmailMfaSettings: { Enabled: false, PreferredMfa: false },
      }),
    );

    const records = await newAdminEvents();
    const failed = records.find((r) => r.api?.operation === 'AddCustomAttributes');
    const disabled = records.find((r) => r.api?.operation === 'AdminSetUserMFAPreference');

    expect((refused as Error).name).toBe('InvalidParameterException');
    expect(failed).toMatchObject({
      status_id: 2,
      actor: { user: { credential_uid: ACCESS_KEY } },
      unmapped: { errorCode: 'InvalidParameterException' },
    });
    expect(disabled).toMatchObject({ class_uid: 3001, activity_id: 11, user: { uid: demoSub } });
  }, 60_000);
});
