/**
 * SRP's arithmetic on the running Node: verifier creation (one g^x), a password check
 * (USER_PASSWORD_AUTH recomputes g^x) and the server's side of a USER_SRP_AUTH sign-in
 * (B = k·v + g^b, then S = (A·v^u)^b and the key), with the client's side computed by the
 * same formulas (so the figure is the emulator's work, not a client library's). Also
 * prints what `crypto.createDiffieHellman(N)` costs here, the construction the emulator
 * used before: 0.3 ms on Node 20, about 1.6 s on Node 24 (the prime is checked).
 * Interleaved rounds; median and p99 of each.
 */
import { createDiffieHellman, randomBytes } from 'node:crypto';
import {
  checkPassword,
  claimSignature,
  computeX,
  createVerifier,
  formatTimestamp,
  g,
  k,
  modPowN,
  N,
  padHex,
  serverKey,
  srpPoolName,
  startServer,
} from '../src/cognito/srp.js';
import { ms, summary } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_SRP_ROUNDS ?? 200);
const POOL = 'eu-west-1_AbC123xyz';
const USER = 'c0ffee00-1234-4abc-9def-0123456789ab';
const PASSWORD = 'Demo-Passw0rd!';

function now(): number {
  return performance.now();
}

const first = now();
const stored = createVerifier(POOL, USER, PASSWORD);
const firstUse = now() - first;

const samples: Record<'verifier' | 'check' | 'signIn', number[]> = {
  verifier: [],
  check: [],
  signIn: [],
};
for (let i = 0; i < ROUNDS; i += 1) {
  let t = now();
  createVerifier(POOL, USER, PASSWORD);
  samples.verifier.push(now() - t);

  t = now();
  if (!checkPassword(POOL, USER, PASSWORD, stored)) throw new Error('password check failed');
  samples.check.push(now() - t);

  // Client side (not timed): a, A = g^a.
  const a = BigInt(`0x${randomBytes(32).toString('hex')}`);
  const A = modPowN(g, a);
  t = now();
  const state = startServer(stored, A.toString(16));
  const key = serverKey(stored, state);
  const timestamp = formatTimestamp(Date.now());
  const secretBlock = randomBytes(64).toString('base64');
  const signature = key && claimSignature(key, srpPoolName(POOL), USER, secretBlock, timestamp);
  samples.signIn.push(now() - t);
  // The client's key must be the same: S = (B - k·g^x)^(a + u·x).
  const { createHash, createHmac } = await import('node:crypto');
  const B = BigInt(`0x${state.B}`);
  const u = BigInt(
    `0x${createHash('sha256')
      .update(Buffer.from(padHex(A) + padHex(B), 'hex'))
      .digest('hex')}`,
  );
  const x = computeX(srpPoolName(POOL), USER, PASSWORD, stored.salt);
  const base = (((B - k * modPowN(g, x)) % N) + N) % N;
  const S = modPowN(base, a + u * x);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  const info = Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])]);
  const clientKey = createHmac('sha256', prk).update(info).digest().subarray(0, 16);
  if (!key || !signature || !clientKey.equals(key))
    throw new Error('client and server keys differ');
}

console.log(
  `Node ${process.version}, ${ROUNDS} interleaved rounds (first use, with the comb table: ${ms(firstUse)})`,
);
for (const [name, label] of [
  ['verifier', 'SRP verifier creation (g^x)'],
  ['check', 'password check (USER_PASSWORD_AUTH)'],
  ['signIn', 'USER_SRP_AUTH server side (g^b, v^u, (A·v^u)^b, key)'],
] as const) {
  const s = summary(samples[name]);
  console.log(`  ${label.padEnd(56)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}`);
}

const t = now();
createDiffieHellman(Buffer.from(N.toString(16), 'hex'));
console.log(`  for comparison, one createDiffieHellman(N) construction here: ${ms(now() - t)}`);
