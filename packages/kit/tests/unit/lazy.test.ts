import { describe, expect, it } from 'vitest';
import { lazy, resolveDeferred } from '../../src/index.js';

describe('lazy', () => {
  it('builds nothing until the first call, then once for every caller', async () => {
    // Prepare
    let builds = 0;
    const client = lazy(async () => {
      builds += 1;
      return { id: builds };
    });

    // Act
    const before = builds;
    const [a, b] = await Promise.all([client(), client()]);
    const c = await client();

    // Assess
    expect(before).toBe(0);
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('tries a failed build again on the next call', async () => {
    // Prepare: the first build fails (a throttled secret, say), the second succeeds
    let attempts = 0;
    const secret = lazy(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('ThrottlingException');
      return 'value';
    });

    // Act / Assess
    await expect(secret()).rejects.toThrow('ThrottlingException');
    await expect(secret()).resolves.toBe('value');
    await expect(secret()).resolves.toBe('value');
    expect(attempts).toBe(2);
  });
});

describe('resolveDeferred', () => {
  it('gives a ready dependency as it is and builds a lazy one', async () => {
    const ready = { send: () => 'ready' };
    const built = { send: () => 'built' };

    await expect(resolveDeferred(ready)).resolves.toBe(ready);
    await expect(resolveDeferred(lazy(() => built))).resolves.toBe(built);
  });
});
