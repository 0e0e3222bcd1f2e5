/**
 * Builds the post authentication Lambda handler from its dependencies, so tests run
 * the real handler with an in-memory auditor and a mocked SES client.
 */
import type { Auditor } from '@authwatch/audit';
import {
  type Deferred,
  defineTrigger,
  logger,
  PostAuthenticationEventSchema,
} from '@authwatch/kit';
import type { SESClient } from '@aws-sdk/client-ses';
import type { PostAuthConfig } from './config.js';
import { type NotifyDeps, sendNewDeviceMail } from './notify.js';
import { planPostAuth } from './post-auth.js';

export interface PostAuthHandlerDeps {
  config: PostAuthConfig;
  auditor: Auditor;
  ses: Deferred<SESClient>;
  metrics?: NotifyDeps['metrics'];
  logger?: NotifyDeps['logger'];
  now?: () => number;
}

export function createPostAuthHandler(deps: PostAuthHandlerDeps) {
  const notifyDeps: NotifyDeps = { ses: deps.ses };
  if (deps.metrics) notifyDeps.metrics = deps.metrics;
  if (deps.logger) notifyDeps.logger = deps.logger;
  if (deps.now) notifyDeps.now = deps.now;
  return defineTrigger({
    name: 'PostAuthentication',
    schema: PostAuthenticationEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      const plan = planPostAuth(event, deps.config, ctx.now(), {
        includeEmail: deps.auditor.includeEmail,
      });
      const sub = event.request.userAttributes.sub;
      // Audit and mail run side by side after the answer, each bounded by the deadline;
      // neither throws.
      ctx.afterResponse(() => deps.auditor.emit(plan.audit, { deadline: ctx.deadline }));
      const mail = plan.mail;
      if (mail) {
        ctx.afterResponse(() =>
          sendNewDeviceMail(
            mail,
            {
              userPoolId: event.userPoolId,
              clientId: event.callerContext.clientId,
              ...(sub ? { userSub: sub } : {}),
            },
            ctx.deadline,
            notifyDeps,
          ),
        );
      }
      if (plan.mailSkipped) {
        (deps.logger ?? logger).info('new-device mail not planned', { reason: plan.mailSkipped });
      }
      return {};
    },
  });
}
