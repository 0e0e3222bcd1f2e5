import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  defineTrigger,
  GENERIC_USER_MESSAGE,
  logger,
  metrics,
  PostAuthenticationEventSchema,
  redactingReplacer,
  tracer,
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
    // The refusal is logged as a warning (not this test's subject): a quiet run.
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
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
    expect(warn).toHaveBeenCalledWith('PreSignUp refused the request', expect.anything());
    warn.mockRestore();
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

describe('defineTrigger’s logging and tracing steps', () => {
  it('puts the invocation’s Lambda context on the logic’s log lines and drops the keys it appended', async () => {
    // Prepare: capture what the logger writes
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: () => {
        logger.appendKeys({ attempt: 2 });
        logger.info('inside the logic');
        return {};
      },
    });
    const lambdaContext = context();
    // Act
    try {
      await handler(getTestEvent('post-auth/authentication'), lambdaContext);
      logger.info('after the invocation');
    } finally {
      write.mockRestore();
    }
    // Assess
    const line = (message: string) =>
      JSON.parse(lines.find((text) => text.includes(message)) ?? '{}') as Record<string, unknown>;
    expect(line('inside the logic')).toMatchObject({
      function_name: 'post-auth',
      function_request_id: lambdaContext.awsRequestId,
      attempt: 2,
    });
    expect(line('after the invocation')).not.toHaveProperty('attempt');
  });

  it('traces the logic in a `## <handler>` subsegment, closed after the answer or the error', async () => {
    // Prepare: tracing on, with a stand-in for the Lambda segment X-Ray gives the handler
    const closed: string[] = [];
    const handlerSegment = { name: '## index.handler', close: () => closed.push('handler') };
    const lambdaSegment = { addNewSubsegment: vi.fn(() => handlerSegment) };
    const spies = [
      vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true),
      vi.spyOn(tracer, 'getSegment').mockReturnValue(lambdaSegment as never),
      vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined),
      vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined),
    ];
    const setSegment = vi.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
    const addError = vi.spyOn(tracer, 'addErrorAsMetadata').mockImplementation(() => undefined);
    const logError = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const previous = process.env._HANDLER;
    process.env._HANDLER = 'index.handler';
    const failure = new Error('connect ECONNREFUSED 10.0.0.1:443');
    const answer = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: () => ({}),
    });
    const fail = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: () => {
        throw failure;
      },
    });
    try {
      // Act
      await answer(getTestEvent('post-auth/authentication'), context());
      await expect(fail(getTestEvent('post-auth/authentication'), context())).rejects.toThrow(
        GENERIC_USER_MESSAGE,
      );
      // Assess: a subsegment per invocation, the handler's own segment restored each time,
      // the error recorded as what the user was told
      expect(lambdaSegment.addNewSubsegment).toHaveBeenCalledWith('## index.handler');
      expect(lambdaSegment.addNewSubsegment).toHaveBeenCalledTimes(2);
      expect(closed).toEqual(['handler', 'handler']);
      expect(setSegment.mock.calls.map(([segment]) => segment)).toEqual([
        handlerSegment,
        lambdaSegment,
        handlerSegment,
        lambdaSegment,
      ]);
      expect(addError).toHaveBeenCalledTimes(1);
      expect(addError.mock.calls[0]?.[0]).toEqual(new Error(GENERIC_USER_MESSAGE));
    } finally {
      process.env._HANDLER = previous;
      for (const spy of [...spies, setSegment, addError, logError]) spy.mockRestore();
    }
  });
});

describe('defineTrigger’s metrics', () => {
  it('publishes the metrics the logic added, in Embedded Metric Format, and nothing otherwise', async () => {
    // Prepare: capture stdout, where EMF lines go
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const quiet = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: () => ({}),
    });
    const counting = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      handle: () => {
        metrics.addMetric('NewDeviceMailSent', 'Count', 1);
        return {};
      },
    });
    // Act
    try {
      await quiet(getTestEvent('post-auth/authentication'), context());
      const afterQuiet = lines.filter((line) => line.includes('"_aws"')).length;
      await counting(getTestEvent('post-auth/authentication'), context());
      // Assess
      expect(afterQuiet).toBe(0);
    } finally {
      write.mockRestore();
    }
    const emf = lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ NewDeviceMailSent: 1 });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
