import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SESClient } from '@aws-sdk/client-ses';

const logger = new Logger();
const tracer = new Tracer();
const ses = tracer.captureAWSv3Client(new SESClient({}));
export const handler = async (event: unknown) => {
  logger.debug('x', { r: await ses.config.region() });
  return event;
};
