/**
 * One attack per default rule, each by its own actors (users, IPs), so that a run over
 * a normal day plus every attack can say which rule fired for whom.
 */
import {
  codeSent,
  DAY_MS,
  HOUR,
  MIN,
  PLACES,
  passwordFailure,
  signIn,
  signUp,
  T0,
  wrongCode,
} from './events.js';

export interface Scenario {
  rule: string;
  /** The group the rule must name. */
  group: Record<string, string>;
  events: object[];
}

const times = (count: number, start: number, step: number) =>
  Array.from({ length: count }, (_, i) => start + i * step);

export function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  list.push({
    rule: 'otp-brute-force-user',
    group: { 'user.uid': 'sub-otp-victim@example.com' },
    events: times(6, T0, 80_000).flatMap((t, i) => [
      codeSent('otp-victim@example.com', '203.0.113.11', t - 1_000),
      wrongCode('otp-victim@example.com', '203.0.113.11', t, (i % 3) + 1),
    ]),
  });
  list.push({
    rule: 'otp-mail-bombing-user',
    group: { 'user.uid': 'sub-bombed@example.com' },
    events: times(6, T0, 3 * MIN).map((t) => codeSent('bombed@example.com', '203.0.113.12', t)),
  });
  list.push({
    rule: 'password-brute-force-user',
    group: { 'user.uid': 'sub-pw-victim@example.com' },
    events: times(12, T0, 50_000).map((t) =>
      passwordFailure('pw-victim@example.com', '203.0.113.13', t),
    ),
  });
  list.push({
    rule: 'password-lockouts-user',
    group: { 'user.uid': 'sub-locked@example.com' },
    events: times(3, T0, 40 * MIN).map((t) =>
      passwordFailure('locked@example.com', '203.0.113.14', t, {
        detail: 'NotAuthorizedException: Password attempts exceeded',
      }),
    ),
  });
  list.push({
    rule: 'distributed-brute-force-user',
    group: { 'user.uid': 'sub-dist-victim@example.com' },
    events: times(12, T0, 100_000).map((t, i) =>
      passwordFailure('dist-victim@example.com', `198.18.0.${(i % 6) + 1}`, t),
    ),
  });
  list.push({
    rule: 'password-spray-ip',
    group: { 'src_endpoint.ip': '198.18.1.1' },
    events: times(18, T0, 2 * MIN).map((t, i) =>
      passwordFailure(`sprayed-${i % 6}@example.com`, '198.18.1.1', t),
    ),
  });
  list.push({
    rule: 'credential-stuffing-ip',
    group: { 'src_endpoint.ip': '198.18.2.2' },
    events: times(30, T0, 20_000).map((t, i) =>
      passwordFailure(`stuffed-${i}@example.com`, '198.18.2.2', t),
    ),
  });
  list.push({
    rule: 'success-after-attack-user',
    group: { 'user.uid': 'sub-taken@example.com' },
    events: [
      ...times(12, T0, 30_000).map((t) => passwordFailure('taken@example.com', '198.18.3.3', t)),
      signIn('taken@example.com', '198.18.3.4', T0 + 40 * MIN),
    ],
  });
  list.push({
    rule: 'success-after-attack-ip',
    group: { 'src_endpoint.ip': '198.18.4.4' },
    events: [
      ...times(30, T0, 20_000).map((t, i) =>
        passwordFailure(`stuffed2-${i}@example.com`, '198.18.4.4', t),
      ),
      signIn('stuffed2-3@example.com', '198.18.4.4', T0 + 20 * MIN),
    ],
  });
  list.push({
    rule: 'new-country-user',
    group: { 'user.uid': 'sub-homebody@example.com' },
    events: [
      ...times(10, T0 - 10 * DAY_MS, DAY_MS).map((t) =>
        signIn('homebody@example.com', '203.0.113.15', t, PLACES.paris),
      ),
      signIn('homebody@example.com', '198.18.5.5', T0, PLACES.berlin),
    ],
  });
  list.push({
    rule: 'several-countries-user',
    group: { 'user.uid': 'sub-shared-account@example.com' },
    events: [
      signIn('shared-account@example.com', '203.0.113.16', T0, PLACES.paris),
      signIn('shared-account@example.com', '198.18.6.6', T0 + 30 * MIN, PLACES.newYork),
    ],
  });
  list.push({
    rule: 'impossible-travel-user',
    group: { 'user.uid': 'sub-jumper@example.com' },
    events: [
      signIn('jumper@example.com', '203.0.113.17', T0 - 3 * HOUR, PLACES.paris),
      signIn('jumper@example.com', '198.18.7.7', T0, PLACES.sydney),
    ],
  });
  list.push({
    rule: 'user-enumeration-ip',
    group: { 'src_endpoint.ip': '198.18.8.8' },
    events: times(12, T0, 20_000).map((t, i) =>
      passwordFailure(`guess-${i}`, '198.18.8.8', t, {
        detail: 'UserNotFoundException',
        userNotFound: true,
      }),
    ),
  });
  list.push({
    rule: 'sign-up-burst-ip',
    group: { 'src_endpoint.ip': '198.18.9.9' },
    events: times(22, T0, 20_000).map((t, i) => signUp(`bot-${i}@mail${i}.test`, '198.18.9.9', t)),
  });
  list.push({
    rule: 'sign-up-burst-domain',
    group: { 'user.email_domain': 'burst.test' },
    events: times(22, T0, 20_000).map((t, i) =>
      signUp(`x-${i}@burst.test`, `198.18.10.${i + 1}`, t),
    ),
  });
  return list;
}
