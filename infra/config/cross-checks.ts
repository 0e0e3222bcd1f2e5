/**
 * Checks across sections, run when a config is validated (synth and the local stack):
 * a value that is valid in its own section but cannot work with another's.
 */
import type * as z from 'zod';
import { type CustomChallengeSection, challengeMailProblem } from './sections/custom-challenge.js';
import type { MailSection } from './sections/mail.js';

interface Sections {
  customChallenge?: CustomChallengeSection | undefined;
  mail?: MailSection | undefined;
}

/** A zod `superRefine` over the whole config. */
export function crossSectionChecks(config: Sections, ctx: z.RefinementCtx): void {
  if (config.customChallenge) {
    // The code mail is granted the mail section's identity when there is one: its
    // sender must be inside it, or SES refuses every code mail once deployed.
    const problem = challengeMailProblem(config.customChallenge, config.mail);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem, path: ['customChallenge', 'mailFrom'] });
    }
  }
}
