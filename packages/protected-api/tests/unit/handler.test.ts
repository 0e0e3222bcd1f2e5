import { logger } from '@authwatch/kit';
import { createLambdaContext, getTestEvent, listTestEvents } from '@authwatch/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../src/handler.js';

describe('the protected API handler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(listTestEvents('protected-api'))(
    'answers the %s fixture in JSON without logging the token',
    async (name) => {
      const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
      const event = getTestEvent<{ headers: Record<string, string> }>(name);

      const result = (await handler(structuredClone(event), createLambdaContext())) as {
        statusCode: number;
        body: string;
      };

      expect(result.statusCode).toBeGreaterThanOrEqual(200);
      expect(() => JSON.parse(result.body)).not.toThrow();
      const logged = JSON.stringify(info.mock.calls);
      expect(logged).toContain('request served');
      expect(logged).not.toContain(event.headers.authorization!.slice(7));
      expect(logged).not.toContain('Bearer');
    },
  );

  it('refuses an event that is not an HTTP API v2 event', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    await expect(handler({ routeKey: 'GET /me' }, createLambdaContext())).rejects.toThrow();
  });
});
