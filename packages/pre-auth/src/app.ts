/**
 * Builds the pre authentication Lambda handler from its dependencies, so tests run the
 * real handler with an in-memory auditor and a stub group directory.
 */
import type { Auditor } from '@authwatch/audit';
import {
  defineTrigger,
  logger as kitLogger,
  PreAuthenticationEventSchema,
  UserFacingError,
} from '@authwatch/kit';
import type { PreAuthConfig } from './config.js';
import type { GroupDirectory } from './groups.js';
import { type Groups, planPreAuth, REFUSAL_MESSAGE } from './policy.js';

export interface PreAuthHandlerDeps {
  config: PreAuthConfig;
  auditor: Auditor;
  groups: GroupDirectory;
  logger?: { warn(message: string, data?: object): void };
  now?: () => number;
}

export function createPreAuthHandler(deps: PreAuthHandlerDeps) {
  const log = deps.logger ?? {
    warn: (message: string, data?: object) => kitLogger.warn(message, { ...data }),
  };
  return defineTrigger({
    name: 'PreAuthentication',
    schema: PreAuthenticationEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      let groups: Groups = [];
      if (deps.config.clientRules.length > 0) {
        const deadline = Math.min(ctx.deadline, ctx.now() + deps.config.groupsTimeoutMs);
        try {
          // The entered name for an unknown user too: the same call either way.
          groups = await deps.groups.groupsOf(event.userPoolId, event.userName, deadline);
        } catch (error) {
          groups = 'unavailable';
          log.warn('group lookup failed; the client restrictions refuse the attempt', {
            error: error instanceof Error ? error.name : 'unknown',
          });
        }
      }
      const plan = planPreAuth(event, deps.config, ctx.now(), groups, {
        includeEmail: deps.auditor.includeEmail,
      });
      // One event per attempt, sent after the answer, never past the deadline.
      ctx.afterResponse(() => deps.auditor.emit(plan.audit, { deadline: ctx.deadline }));
      if (plan.refusal !== undefined) throw new UserFacingError(REFUSAL_MESSAGE);
      return {};
    },
  });
}
