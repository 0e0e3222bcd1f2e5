/**
 * `createFirehoseClient`, in its own module because it imports the AWS SDK's Firehose
 * package: a Lambda that never calls it (every trigger: the sink builds its client on
 * its first send, after the answer) does not load the package at cold start.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { buildFirehoseClient, type FirehoseClientOptions } from './firehose.js';

/**
 * A Firehose client for the audit path (see {@link buildFirehoseClient}).
 *
 * @example
 * ```ts
 * const client = createFirehoseClient({ requestTimeoutMs: 1_000 });
 * ```
 */
export function createFirehoseClient(options: FirehoseClientOptions = {}): FirehoseClient {
  return buildFirehoseClient(FirehoseClient, options);
}
