/**
 * The kit's own cost: a trigger that only goes through defineTrigger and an event
 * schema, with SES constructed as the floor does. Compared with the floor, it shows what
 * @authwatch/kit (zod, Powertools metrics, masking, the wrapper) adds to a cold start.
 */
import {
  captureClient,
  defineTrigger,
  PostAuthenticationEventSchema,
  sdkClientConfig,
} from '@authwatch/kit';
import { SESClient } from '@aws-sdk/client-ses';

const ses = captureClient(new SESClient(sdkClientConfig({ requestTimeoutMs: 1_500 })));

export const handler = defineTrigger({
  name: 'PostAuthentication',
  schema: PostAuthenticationEventSchema,
  handle: async () => ({ region: await ses.config.region() }),
});
