export * from './base.js';

import * as z from 'zod/mini';

z.config(z.locales.en());
const Base = z.object({
  version: z.string(),
  triggerSource: z.string(),
  region: z.string(),
  userPoolId: z.string(),
  userName: z.optional(z.string()),
  callerContext: z.object({ awsSdkVersion: z.string(), clientId: z.string() }),
  request: z.object({}),
  response: z.object({}),
});
const PostTrigger = z.extend(Base, {
  triggerSource: z.literal('PostAuthentication_Authentication'),
  request: z.object({
    userAttributes: z.record(z.string(), z.string()),
    newDeviceUsed: z.optional(z.boolean()),
    clientMetadata: z.optional(z.record(z.string(), z.string())),
  }),
});
export const s = z.extend(PostTrigger, { userName: z.string() });
