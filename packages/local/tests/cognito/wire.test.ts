import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type Harness, PASSWORD, startHarness } from './helpers.js';

describe('awsJson1_1 wire protocol', () => {
  let h: Harness;
  let clientId: string;
  const post = (target: string, body: string) =>
    fetch(`${h.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });

  beforeAll(async () => {
    h = await startHarness();
    const { id } = h.emulator.createUserPool({ name: 'wire' });
    ({ clientId } = h.emulator.createUserPoolClient(id, { name: 'web' }));
  });
  afterAll(() => h.close());

  it('answers application/x-amz-json-1.1 with the operation output', async () => {
    const response = await post(
      'AWSCognitoIdentityProviderService.SignUp',
      JSON.stringify({ ClientId: clientId, Username: 'wire-user', Password: PASSWORD }),
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({
      UserConfirmed: false,
      UserSub: expect.any(String),
    });
  });

  it('answers errors as { __type, message } with the x-amzn-ErrorType header', async () => {
    const response = await post(
      'AWSCognitoIdentityProviderService.SignUp',
      JSON.stringify({ ClientId: clientId, Username: 'wire-user', Password: PASSWORD }),
    );

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UsernameExistsException:');
    expect(await response.json()).toEqual({
      __type: 'UsernameExistsException',
      message: 'User already exists',
    });
  });

  it('refuses an unknown operation, a missing target and a body that is not JSON', async () => {
    const unknown = await post('AWSCognitoIdentityProviderService.AssociateSoftwareToken', '{}');
    const missing = await post('', '{}');
    const garbage = await post('AWSCognitoIdentityProviderService.SignUp', '{not json');

    expect([unknown.status, ((await unknown.json()) as { __type: string }).__type]).toEqual([
      400,
      'UnknownOperationException',
    ]);
    expect(((await missing.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    expect([garbage.status, ((await garbage.json()) as { __type: string }).__type]).toEqual([
      400,
      'SerializationException',
    ]);
  });

  it('answers 404 outside its routes', async () => {
    const response = await fetch(`${h.endpoint}/nothing/here`);

    expect(response.status).toBe(404);
  });

  it('answers InternalErrorException 500 for an unexpected failure, which the SDK names', async () => {
    const broken = await startHarness();
    const { id } = broken.emulator.createUserPool({ name: 'broken' });
    const { clientId: cid } = broken.emulator.createUserPoolClient(id, { name: 'web' });
    broken.triggers.has = () => {
      throw new Error('invoker exploded');
    };

    const error = await failure(
      broken.client.send(new SignUpCommand({ ClientId: cid, Username: 'x', Password: PASSWORD })),
    );

    expect(error.name).toBe('InternalErrorException');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.message).not.toContain('exploded');
    await broken.close();
  });

  it('maps a failing mailer to CodeDeliveryFailureException', async () => {
    const local = await startHarness();
    const { id } = local.emulator.createUserPool({ name: 'mail', usernameAttributes: ['email'] });
    const { clientId: cid } = local.emulator.createUserPoolClient(id, { name: 'web' });
    local.mailer.send = async () => {
      throw new Error('SES down');
    };

    const error = await failure(
      local.client.send(
        new SignUpCommand({ ClientId: cid, Username: 'm@example.com', Password: PASSWORD }),
      ),
    );

    expect(error.name).toBe('CodeDeliveryFailureException');
    await local.close();
  });

  it('answers any /oauth2/token request with a token or an OAuth error, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 60 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        async (body, authorization) => {
          const response = await fetch(`${h.endpoint}/oauth2/token`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(authorization === undefined ? {} : { authorization: `Basic ${authorization}` }),
            },
            body,
          });
          const json = (await response.json()) as { error?: string };
          expect([400, 401]).toContain(response.status);
          expect(json.error).toMatch(
            /^(invalid_request|invalid_client|unsupported_grant_type|unauthorized_client|invalid_scope)$/,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
