/**
 * The protected API behind API Gateway's JWT authorizer. Thin: the event is validated,
 * the logic answers, and one log line records the route, status, subject and the
 * NAMES of the claims (never the token, never the Authorization header).
 */
import { defineHandler, logger } from '@authwatch/kit';
import { handleApiRequestAsync } from './api.js';
import { readHistoryConfig } from './history/config.js';
import { createHistoryEngine } from './history/create.js';
import { ApiEventSchema } from './schema.js';

const history = readHistoryConfig(process.env);
const engine = createHistoryEngine(history);

export const handler = defineHandler({
  name: 'ProtectedApi',
  schema: ApiEventSchema,
  handle: async (event, ctx) => {
    const { result, log } = await handleApiRequestAsync(event, {
      now: ctx.now,
      securityGroup: history.securityGroup,
      ...(engine ? { history: engine } : {}),
    });
    if (log.error) logger.error('history query failed', { ...log });
    else logger.info('request served', { ...log });
    return result;
  },
});
