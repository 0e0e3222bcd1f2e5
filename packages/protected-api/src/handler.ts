/**
 * The protected API behind API Gateway's JWT authorizer. Thin: the event is validated,
 * the pure logic answers, and one log line records the route, status, subject and the
 * NAMES of the claims (never the token, never the Authorization header).
 */
import { defineHandler, logger } from '@authwatch/kit';
import { handleApiRequest } from './api.js';
import { ApiEventSchema } from './schema.js';

export const handler = defineHandler({
  name: 'ProtectedApi',
  schema: ApiEventSchema,
  handle: (event, ctx) => {
    const { result, log } = handleApiRequest(event, { now: ctx.now });
    logger.info('request served', { ...log });
    return result;
  },
});
