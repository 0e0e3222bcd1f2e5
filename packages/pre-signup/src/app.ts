/**
 * Builds the pre sign-up Lambda handler from its dependencies, so tests run the real
 * handler with an in-memory auditor and a mocked Cognito client.
 */
import type { Auditor } from '@authwatch/audit';
import { defineTrigger, logger, PreSignUpEventSchema } from '@authwatch/kit';
import type { UserDirectory } from './cognito.js';
import type { PreSignUpConfig } from './config.js';
import { preSignUp } from './pre-signup.js';

export interface PreSignUpHandlerDeps {
  config: PreSignUpConfig;
  auditor: Auditor;
  directory: UserDirectory;
  now?: () => number;
}

export function createPreSignUpHandler(deps: PreSignUpHandlerDeps) {
  return defineTrigger({
    name: 'PreSignUp',
    schema: PreSignUpEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      const outcome = await preSignUp(event, deps.config, {
        directory: deps.directory,
        deadline: ctx.deadline,
        now: ctx.now(),
        includeEmail: deps.auditor.includeEmail,
      });
      // Every outcome is audited, a denial included (sent after the answer; see kit's
      // after-response.ts).
      ctx.afterResponse(() => deps.auditor.emit(outcome.audit, { deadline: ctx.deadline }));
      if (outcome.error) throw outcome.error;
      if (outcome.linkedTo !== undefined) {
        logger.info('federated identity linked to an existing user', {
          triggerSource: event.triggerSource,
          linkedTo: outcome.linkedTo,
        });
      }
      return outcome.response ?? {};
    },
  });
}
