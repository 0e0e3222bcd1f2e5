import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { sdkClientConfig, signalForDeadline } from '../../src/index.js';

describe('sdkClientConfig', () => {
  it('gives every client a request timeout and two attempts by default', () => {
    const config = sdkClientConfig();
    expect(config.maxAttempts).toBe(2);
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it('takes the caller’s attempts', () => {
    expect(sdkClientConfig({ maxAttempts: 1, requestTimeoutMs: 300 }).maxAttempts).toBe(1);
  });
});

describe('signalForDeadline', () => {
  it('is not aborted before the deadline', () => {
    expect(signalForDeadline(10_000, 0).aborted).toBe(false);
  });

  it('fires at once, not never, when the deadline has passed', async () => {
    const signal = signalForDeadline(0, 5_000);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.aborted).toBe(true);
  });
});
