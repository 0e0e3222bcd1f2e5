import { describe, expect, it } from 'vitest';
import { context, harness, sqsEvent, trailEvent } from '../helpers.js';

describe('CloudTrail handler', () => {
  it('turns a batch into events, counts what it skips and retries nothing', async () => {
    // Prepare
    const { handler, events, logs } = harness();
    const batch = sqsEvent([
      trailEvent('initiate-auth-wrong-password'),
      trailEvent('respond-tokens'),
      trailEvent('hosted-ui-login-get'),
      '{not json',
      { source: 'aws.s3', 'detail-type': 'AWS API Call via CloudTrail', detail: {} },
    ]);

    // Act
    const result = await handler(batch, context());

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(events().map((e) => e.metadata.log_name)).toEqual(['sign-in-failed', 'sign-in-call']);
    expect(logs).toEqual([
      {
        message: 'cloudtrail batch',
        data: {
          received: 5,
          events: 2,
          retried: 0,
          skipped: { 'not-an-auth-call': 1, 'not-json': 1, 'not-cognito': 1 },
        },
      },
    ]);
  });

  it('hands back to SQS the messages whose events did not reach the stream', async () => {
    // Prepare
    const { handler } = harness({ failing: true });
    const batch = sqsEvent([
      trailEvent('initiate-auth-wrong-password'),
      trailEvent('hosted-ui-login-get'),
    ]);

    // Act
    const result = await handler(batch, context());

    // Assess: the skipped one is not retried (a retry would not change it).
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: batch.Records[0]?.messageId }],
    });
  });

  it('answers an empty batch with no failures', async () => {
    const { handler } = harness();
    expect(await handler(sqsEvent([]), context())).toEqual({ batchItemFailures: [] });
  });

  it('refuses an event that is not an SQS batch, naming the problem', async () => {
    const { handler } = harness();
    await expect(handler({ detail: {} }, context())).rejects.toThrow();
  });
});
