import { type PreTokenGenerationEvent, PreTokenGenerationEventSchema } from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import { stringify } from 'yaml';
import {
  type LoadedRules,
  type LoadOptions,
  RulesError,
  type RulesProblem,
  validateRules,
} from '../src/index.js';

/** A fixture as JSON, before parsing, for tests to change. */
export interface RawTokenEvent {
  version: string;
  triggerSource: string;
  userName?: string;
  callerContext: { clientId: string; awsSdkVersion?: string };
  request: {
    userAttributes: Record<string, string>;
    groupConfiguration: {
      groupsToOverride: string[];
      iamRolesToOverride: string[];
      preferredRole: string | null;
    };
    scopes?: string[];
    clientMetadata?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** A parsed fixture of pre-token-generation/<name>, e.g. `v2/authentication`. */
export function tokenEvent(
  name: string,
  change?: (raw: RawTokenEvent) => void,
): PreTokenGenerationEvent {
  const raw = getTestEvent<RawTokenEvent>(`pre-token-generation/${name}`);
  change?.(raw);
  return PreTokenGenerationEventSchema.parse(raw);
}

/** Loads a rules object (as if from a file). */
export function load(rules: unknown[], options: LoadOptions = {}): LoadedRules {
  return validateRules({ rules }, options);
}

/** The problems of a rules object that must not load. */
export function problemsOf(raw: unknown, options: LoadOptions = {}): RulesProblem[] {
  try {
    validateRules(raw, options);
  } catch (error) {
    if (error instanceof RulesError) return error.problems;
    throw error;
  }
  throw new Error('expected the rules not to load');
}

export const yaml = (value: unknown): string => stringify(value);
export const FIXED_NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
