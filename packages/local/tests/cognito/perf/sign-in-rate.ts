/**
 * Sign-in throughput of the Cognito emulator alone (no worker-thread triggers), with the
 * real SDK over loopback HTTP: `npx tsx tests/cognito/perf/sign-in-rate.ts`.
 * Prints sign-ins per second and the median / p99 latency of one sign-in per flow, each
 * after `PERF_WARM_UP_SECONDS` (default 8) of the same sign-ins: V8 takes that long to
 * settle on the SDK and the emulator (the rate climbs by about half over those seconds).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createCognitoEmulator, type TriggerInvoker } from '../../../src/cognito/index.js';

const PASSWORD = 'Correct-Horse-9';
const inProcess: TriggerInvoker = {
  has: (_pool, name) =>
    ['DefineAuthChallenge', 'CreateAuthChallenge', 'VerifyAuthChallengeResponse'].includes(name),
  invoke: async (_pool, name, event) => {
    const request = event.request as {
      session?: { challengeResult: boolean }[];
      challengeAnswer?: string;
    };
    if (name === 'DefineAuthChallenge') {
      const passed = request.session?.at(-1)?.challengeResult === true;
      return {
        ...event,
        response: passed ? { issueTokens: true } : { challengeName: 'CUSTOM_CHALLENGE' },
      };
    }
    if (name === 'CreateAuthChallenge')
      return {
        ...event,
        response: { publicChallengeParameters: {}, privateChallengeParameters: { code: '123456' } },
      };
    return { ...event, response: { answerCorrect: request.challengeAnswer === '123456' } };
  },
};

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const emulator = createCognitoEmulator({
  region: 'eu-west-1',
  baseUrl: endpoint,
  triggers: inProcess,
});
server.on('request', emulator.listener);
const { id: poolId } = emulator.createUserPool({ name: 'perf', usernameAttributes: ['email'] });
const { clientId } = emulator.createUserPoolClient(poolId, {
  name: 'perf',
  explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH'],
});
await emulator.seedUser(poolId, 'perf@example.com', PASSWORD);
const client = new CognitoIdentityProviderClient({
  region: 'eu-west-1',
  endpoint,
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
});

const WARM_UP_MS = Number(process.env.PERF_WARM_UP_SECONDS ?? 8) * 1000;

async function measure(label: string, n: number, once: () => Promise<unknown>) {
  const warming = performance.now();
  while (performance.now() - warming < WARM_UP_MS) await once();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  const pick = (q: number) =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] as number).toFixed(2);
  console.log(
    `${label}: ${((n / total) * 1000).toFixed(0)} sign-ins/s, median ${pick(0.5)} ms, p99 ${pick(0.99)} ms (n=${n})`,
  );
}

await measure('USER_PASSWORD_AUTH', 3000, () =>
  client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'perf@example.com', PASSWORD },
    }),
  ),
);
await measure('USER_PASSWORD_AUTH, emulator.call without HTTP/SDK', 3000, () =>
  emulator.call('InitiateAuth', {
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: 'perf@example.com', PASSWORD },
  }),
);
await measure('CUSTOM_AUTH (2 round trips)', 1500, async () => {
  const started = await client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'CUSTOM_AUTH',
      AuthParameters: { USERNAME: 'perf@example.com' },
    }),
  );
  await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: started.Session,
      ChallengeResponses: { USERNAME: 'perf@example.com', ANSWER: '123456' },
    }),
  );
});
client.destroy();
server.close();
