/**
 * The custom challenge in its second mode, `password-then-otp`, on a stack of its own
 * (config changed the way an environment file would change it): SRP password first,
 * then the mailed code. Its handlers run in worker threads (the other suites use the
 * default, in-process), so both ways of running them are exercised end to end. Ends by
 * stopping the stack and checking nothing is left.
 */
import { connect } from 'node:net';
import { loadConfig } from '@authwatch/infra/config';
import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/stack.js';
import { liveWorkerCount } from '../../src/triggers/runner.js';
import { auditRecords, claimsOf, cognitoClient, nextCode, startTestStack } from './helpers.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let client: CognitoIdentityProviderClient;
const seen = new Set<string>();

/** CUSTOM_AUTH with SRP_A, as a password-then-OTP app signs in; answers with `answer()`. */
function signIn(password: string, answer: () => Promise<string>): Promise<CognitoUserSession> {
  const pool = new CognitoUserPool({
    UserPoolId: stack.outputs.userPoolId,
    ClientId: stack.outputs.userPoolClientId,
    endpoint: `${stack.outputs.endpoint}/`,
  });
  const user = new CognitoUser({ Username: DEMO_USER.email, Pool: pool });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      customChallenge: () => {
        answer().then((code) => user.sendCustomChallengeAnswer(code, callbacks), reject);
      },
    };
    user.authenticateUser(
      new AuthenticationDetails({ Username: DEMO_USER.email, Password: password }),
      callbacks,
    );
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  const config = loadConfig('dev');
  if (!config.customChallenge) throw new Error('the dev config has no customChallenge section');
  stack = await startTestStack({
    config: {
      ...config,
      customChallenge: { ...config.customChallenge, mode: 'password-then-otp' },
    },
    isolation: 'worker',
  });
  client = cognitoClient(stack);
});

afterAll(async () => {
  client?.destroy();
  await stack?.cleanup();
});

describe('password-then-otp mode', () => {
  it('asks for the password (SRP) and then the mailed code before issuing tokens', async () => {
    // Act
    const session = await signIn(DEMO_USER.password, async () => {
      const { code } = await nextCode(stack, DEMO_USER.email, seen);
      return code;
    });

    // Assess
    expect(claimsOf(session.getIdToken().getJwtToken()).tenant).toBe(DEMO_USER.tenant);
    const events = (await auditRecords(stack)).map(
      (r) => (r as { metadata: { event_code: string } }).metadata.event_code,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'CreateAuthChallenge_Authentication',
        'VerifyAuthChallengeResponse_Authentication',
        'TokenGeneration_Authentication',
      ]),
    );
  });

  it('refuses a wrong password before any code is mailed', async () => {
    // Prepare
    let asked = false;

    // Act
    const failure = await signIn('Wrong-Passw0rd!', async () => {
      asked = true;
      return '000000';
    }).catch((error: Error) => error);

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
    expect(asked).toBe(false);
  });

  it('refuses a CUSTOM_AUTH sign-in that brings no password', async () => {
    // Act
    const failure = await client
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: stack.outputs.userPoolClientId,
          AuthParameters: { USERNAME: DEMO_USER.email },
        }),
      )
      .then((started) => started.ChallengeName)
      .catch((error: Error) => error);

    // Assess: never straight to a code
    expect(failure).not.toBe('CUSTOM_CHALLENGE');
  });
});

describe('stopping the stack', () => {
  it('closes every port and leaves no server or worker behind', async () => {
    // Prepare
    const o = stack.outputs;
    const ports = [o.endpoint, o.apiUrl, o.sesEndpoint, o.liveFeedHttpUrl].map(portOf);
    expect(await Promise.all(ports.map(isListening))).toEqual([true, true, true, true]);
    expect(liveWorkerCount()).toBe(stack.handlers.length);

    // Act
    await stack.stop();

    // Assess
    expect(await Promise.all(ports.map(isListening))).toEqual([false, false, false, false]);
    expect(process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap')).toEqual([]);
    expect(liveWorkerCount()).toBe(0);
  });
});
