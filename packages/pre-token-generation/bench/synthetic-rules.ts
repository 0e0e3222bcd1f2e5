/** Synthetic rules files for the benchmark. */
const ROLE = (n: number) => `arn:aws:iam::123456789012:role/r${n}`;

/** `count` rules mixing every matcher and action, a realistic share of which match. */
export function syntheticRules(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 5;
    const match =
      kind === 0
        ? { groups: { any: [`group-${i}`, i % 50 === 0 ? 'users' : `other-${i}`] } }
        : kind === 1
          ? {
              attributes: {
                email: { regex: i % 50 === 1 ? '@example\\.com$' : `^user${i}@` },
                'custom:tenant_id': { exists: true },
              },
            }
          : kind === 2
            ? { clients: [`client-${i}`, i % 50 === 2 ? '1example23456789abcdefghij' : `c-${i}`] }
            : kind === 3
              ? { scopes: { all: ['openid', i % 50 === 3 ? 'email' : `scope-${i}`] } }
              : {
                  attributes: {
                    'custom:tenant_id': {
                      in: [`tenant-${i}`, i % 50 === 4 ? 'tenant-42' : `t-${i}`],
                    },
                  },
                  groups: { none: ['blocked'] },
                };
    return {
      name: `rule-${i}`,
      match,
      then: {
        claims: { [`claim_${i % 40}`]: i % 2 === 0 ? '${custom:tenant_id}' : i },
        accessToken: {
          scopesToAdd: [`api/s${i % 7}`],
          ...(i % 9 === 0 ? { suppress: [`claim_${(i + 1) % 40}`] } : {}),
        },
        ...(i % 25 === 0 ? { roleMapping: { users: ROLE(i), admins: ROLE(i + 1) } } : {}),
      },
    };
  });
}
