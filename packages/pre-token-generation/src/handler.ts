/**
 * Pre token generation trigger. The rules are compiled at cold start: a bad file fails
 * the start (never a sign-in with a half-applied policy). Deployed, they come compiled
 * at synth (CLAIMS_RULES_COMPILED: JSON of the rules validated then), so the cold start
 * neither parses YAML nor validates; otherwise (the local stack, a file of one's own)
 * the rules file is read and validated here, by a loader imported only then.
 */
import { auditorFromEnv } from '@authwatch/audit';
import {
  afterResponse,
  defineTrigger,
  logger,
  metrics,
  PreTokenGenerationEventSchema,
} from '@authwatch/kit';
import { effectiveBudget, loadPreTokenConfig } from './config.js';
import { formatProblem } from './errors.js';
import { decideTokens } from './pre-token.js';
import { readPrecompiledRules } from './precompiled.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadPreTokenConfig();
const rules = config.compiledRulesFile
  ? readPrecompiledRules(config.compiledRulesFile, config.triggerVersion)
  : (await import('./load.js')).loadRulesFile(config.rulesFile, {
      triggerVersion: config.triggerVersion,
      baseDir: config.baseDir,
    });
for (const warning of rules.warnings)
  logger.warn('claims rules warning', { problem: formatProblem(warning) });
const budget = effectiveBudget(config, rules.compiled.tokenSizeBudget);
const auditor = auditorFromEnv();

export const handler = defineTrigger({
  name: 'PreTokenGeneration',
  schema: PreTokenGenerationEventSchema,
  handle: async (event, ctx) => {
    const decision = decideTokens(event, rules.compiled, { now: ctx.now(), budget });
    // Debug, not info: the tokens-issued audit event already records these facts (rules,
    // claims, scopes) for every sign-in; a log line per token issue repeated them at the
    // cost of a Powertools log item (~0.09 ms, measured) and of log ingestion.
    logger.debug('tokens customised', { ...decision.facts, sizes: decision.sizes });
    if (decision.oversized.length > 0) {
      logger.warn('token estimated above the size budget', {
        tokens: decision.oversized,
        sizes: decision.sizes,
        budget,
        matchedRules: decision.facts.matchedRules,
      });
      metrics.addMetric('TokenOverBudget', 'Count', 1);
    }
    ctx.afterResponse(() => auditor.emit(decision.audit, { deadline: ctx.deadline }));
    return decision.response;
  },
});
