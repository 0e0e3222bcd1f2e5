/**
 * The floor of every Authwatch Lambda's cold start: Powertools Logger and Tracer and one
 * AWS SDK client, constructed at module scope as our handlers do, and nothing of ours.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SESClient } from '@aws-sdk/client-ses';

const logger = new Logger();
const tracer = new Tracer();
const ses = tracer.captureAWSv3Client(new SESClient({}));

export const handler = async (event: unknown): Promise<unknown> => {
  logger.debug('event received', { region: await ses.config.region() });
  return event;
};
