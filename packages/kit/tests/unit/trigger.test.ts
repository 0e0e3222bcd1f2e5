import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  defineTrigger,
  GENERIC_USER_MESSAGE,
  logger,
  PostAuthenticationEventSchema,
  redactingReplacer,
  UserFacingError,
} from '../../src/index.js';

const context = () => createLambdaContext({ functionName: 'post-auth' });

describe('defineTrigger', () => {
  it('returns the original event with the logic’s response', async () => {
    // Prepare
    const event = getTestEvent('post-auth/authentication');
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: (parsed) => ({ seen: parsed.request.userAttributes.email }),
    });
    // Act
    const result = await handler(event, context());
    // Assess
    expect(result).toEqual({ ...event, response: { seen: 'user.one@example.com' } });
  });

  it('gives the logic a deadline within Cognito’s 5-second limit', async () => {
    let now = 10_000;
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      now: () => now,
      handle: (_event, ctx) => ({ deadline: ctx.deadline }),
    });
    const result = await handler(
      getTestEvent('post-auth/authentication'),
      createLambdaContext({ timeoutMs: 30_000, now: () => now }),
    );
    expect(result.response).toEqual({ deadline: 10_000 + 5_000 - 250 });
    now = 0;
  });

  it('keeps a UserFacingError’s message', async () => {
    const handler = defineTrigger({
      name: 'PreSignUp',
      schema: z.object({}),
      handle: () => {
        throw new UserFacingError('sign-up from this email domain is not allowed');
      },
    });
    await expect(handler({}, context())).rejects.toThrow(
      'sign-up from this email domain is not allowed',
    );
  });

  it('replaces any other error with the generic message and logs it in full', async () => {
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const handler = defineTrigger({
      name: 'PreSignUp',
      schema: z.object({}),
      handle: () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:443');
      },
    });
    await expect(handler({}, context())).rejects.toThrow(GENERIC_USER_MESSAGE);
    expect(spy).toHaveBeenCalledWith(
      'PreSignUp failed',
      expect.objectContaining({ message: 'connect ECONNREFUSED 10.0.0.1:443' }),
    );
    spy.mockRestore();
  });

  it('refuses a malformed event, logging the failing path and not the event', async () => {
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const handle = vi.fn();
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle,
    });
    const event = getTestEvent<{ request: { userAttributes: unknown } }>(
      'post-auth/authentication',
    );
    event.request.userAttributes = 'user.one@example.com';
    await expect(handler(event, context())).rejects.toThrow(GENERIC_USER_MESSAGE);
    expect(handle).not.toHaveBeenCalled();
    const [, details] = spy.mock.calls[0] ?? [];
    expect(details).toEqual({
      issues: [expect.objectContaining({ path: 'request.userAttributes', kind: 'invalid_type' })],
    });
    // What reaches CloudWatch, through the logger's replacer, keeps the issue's kind.
    expect(JSON.stringify(details, redactingReplacer)).toContain('"kind":"invalid_type"');
    expect(JSON.stringify(spy.mock.calls)).not.toContain('user.one');
    spy.mockRestore();
  });
});
