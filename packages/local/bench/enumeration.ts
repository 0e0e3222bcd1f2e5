/**
 * Does the local stack's answer time tell whether an account exists? Against a stack in
 * this process, with the real SDK: USER_PASSWORD_AUTH with a wrong password for the demo
 * user against the same for unknown names, and the first step of USER_SRP_AUTH for both,
 * interleaved. Prints the medians, their ratio known / unknown and the two-sample KS
 * statistic. Cognito does comparable work for both, so the emulator must too, or timings
 * taken on the local stack would mislead (targets: ratio 0.9–1.1, KS D ≤ 0.1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { g, modPowN } from '../src/cognito/srp.js';
import { DEMO_USER, startLocalStack } from '../src/stack.js';
import { median } from './lib/stats.js';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);
const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-bench-'));
const stack = await startLocalStack({ port: 0, stateDir, quiet: true });
const o = stack.outputs;
const clientId = (o as { passwordClientId?: string }).passwordClientId ?? o.userPoolClientId;
const sdk = new CognitoIdentityProviderClient({
  endpoint: o.endpoint,
  region: o.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const srpA = modPowN(g, 987654321n).toString(16);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn().catch(() => undefined);
  return performance.now() - start;
}

const wrongPassword = (name: string) => () =>
  sdk.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: name, PASSWORD: 'Not-The-Passw0rd!' },
    }),
  );
const srpStart = (name: string) => () =>
  sdk.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: name, SRP_A: srpA },
    }),
  );

function ks(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= v) i += 1;
    while (j < y.length && (y[j] as number) <= v) j += 1;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

console.log(
  `Known against unknown users on the local stack, ${PAIRS} interleaved pairs, Node ${process.version}`,
);
for (const [label, make] of [
  ['USER_PASSWORD_AUTH, wrong password', wrongPassword],
  ['USER_SRP_AUTH, first step', srpStart],
] as const) {
  for (let i = 0; i < 30; i += 1) {
    await timed(make(DEMO_USER.email));
    await timed(make(`warm-${i}@example.com`));
  }
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < PAIRS; i += 1) {
    const ghost = make(`nobody-${i}@example.com`);
    if (i % 2 === 0) {
      known.push(await timed(make(DEMO_USER.email)));
      unknown.push(await timed(ghost));
    } else {
      unknown.push(await timed(ghost));
      known.push(await timed(make(DEMO_USER.email)));
    }
  }
  const k = median([...known].sort((p, q) => p - q));
  const u = median([...unknown].sort((p, q) => p - q));
  console.log(
    `  ${label.padEnd(36)} known p50 ${k.toFixed(2)} ms  unknown p50 ${u.toFixed(2)} ms  ratio ${(k / u).toFixed(2)}  KS D ${ks(known, unknown).toFixed(3)}`,
  );
}
sdk.destroy();
await stack.stop();
rmSync(stateDir, { recursive: true, force: true });
