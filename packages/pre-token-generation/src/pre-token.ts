/**
 * The trigger's pure logic: event + compiled rules + clock -> Cognito response, the
 * audit event to emit, and the size estimate of the resulting tokens.
 */
import {
  type AuditEvent,
  auditContextFromEvent,
  type TokenPolicyFacts,
  tokensIssued,
} from '@authwatch/audit';
import type { PreTokenGenerationEvent } from '@authwatch/kit';
import type { CompiledRules } from './compile.js';
import { evaluate, type Outcome, type TokenResponse, toResponse } from './engine.js';
import { applyResponse, estimateJwtLength, type TokenClaims, untouchedClaims } from './token.js';

export interface TokenSizes {
  id?: number;
  access: number;
}

export interface TokenDecision {
  response: TokenResponse;
  outcome: Outcome;
  /** Estimated JWT lengths after customisation (characters). */
  sizes: TokenSizes;
  /** Tokens estimated above the budget. */
  oversized: ('id' | 'access')[];
  audit: AuditEvent;
  /** Claim and scope names changed, as recorded in the audit event. */
  facts: TokenPolicyFacts;
}

export interface DecideOptions {
  /** Epoch ms. */
  now: number;
  /** Characters per token above which `oversized` names the token. */
  budget: number;
}

const union = (...maps: Map<string, unknown>[]): string[] => {
  const names = new Set<string>();
  for (const map of maps) for (const key of map.keys()) names.add(key);
  return [...names].sort();
};

/** The size estimate of the customised tokens. */
export function estimateSizes(tokens: TokenClaims): TokenSizes {
  const sizes: TokenSizes = { access: estimateJwtLength(tokens.access) };
  if (tokens.id) sizes.id = estimateJwtLength(tokens.id);
  return sizes;
}

/** Decides the response for one validated event, without building the audit event. */
export function decideResponse(
  event: PreTokenGenerationEvent,
  rules: CompiledRules,
  options: DecideOptions,
): Omit<TokenDecision, 'audit'> {
  const outcome = evaluate(rules, event);
  const response = toResponse(outcome);
  const sizes = estimateSizes(applyResponse(untouchedClaims(event, options.now), response));
  const oversized: ('id' | 'access')[] = [];
  if (sizes.id !== undefined && sizes.id > options.budget) oversized.push('id');
  if (sizes.access > options.budget) oversized.push('access');
  const facts = {
    matchedRules: outcome.matched,
    claimsAdded: union(outcome.id.set, outcome.access.set),
    claimsSuppressed: union(outcome.id.suppress, outcome.access.suppress),
    scopesAdded: [...outcome.access.scopesToAdd.keys()].sort(),
    scopesSuppressed: [...outcome.access.scopesToSuppress.keys()].sort(),
  };
  return { response, outcome, sizes, oversized, facts };
}

/** Decides the response for one validated event, with the tokens-issued audit event. */
export function decideTokens(
  event: PreTokenGenerationEvent,
  rules: CompiledRules,
  options: DecideOptions,
): TokenDecision {
  const decision = decideResponse(event, rules, options);
  const audit = tokensIssued(auditContextFromEvent(event, options.now), {
    ...decision.facts,
    tokenVersion: decision.outcome.version,
  });
  return { ...decision, audit };
}
