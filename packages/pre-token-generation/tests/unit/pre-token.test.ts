import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE, decideTokens, loadRulesFile } from '../../src/index.js';
import { FIXED_NOW, load, tokenEvent } from '../helpers.js';

const defaults = loadRulesFile(DEFAULT_RULES_FILE, { triggerVersion: 'V3_0' }).compiled;

describe('deciding the tokens with the default rules', () => {
  it('gives an admin the tenant claim, mapped roles and both API scopes', () => {
    const decision = decideTokens(tokenEvent('v2/hosted-auth'), defaults, {
      now: FIXED_NOW,
      budget: 4096,
    });

    expect(decision.facts).toEqual({
      matchedRules: ['tenant-claim', 'group-roles', 'users-read', 'admins-admin'],
      claimsAdded: ['admin', 'entitlements', 'groups', 'tenant'],
      claimsSuppressed: ['custom:tenant_id'],
      scopesAdded: ['api/admin', 'api/read'],
      scopesSuppressed: [],
    });
    expect(decision.oversized).toEqual([]);
  });

  it('takes api/admin from a user who is not an admin', () => {
    const event = tokenEvent('v2/authentication', (e) => {
      e.request.groupConfiguration.groupsToOverride = ['users'];
      e.request.scopes = [...(e.request.scopes ?? []), 'api/admin'];
    });

    const decision = decideTokens(event, defaults, { now: FIXED_NOW, budget: 4096 });

    expect(decision.facts.scopesAdded).toEqual(['api/read']);
    expect(decision.facts.scopesSuppressed).toEqual(['api/admin']);
  });

  it('marks a machine token and keeps it from api/admin', () => {
    const decision = decideTokens(tokenEvent('v3/client-credentials'), defaults, {
      now: FIXED_NOW,
      budget: 4096,
    });

    expect(decision.facts.matchedRules).toEqual(['machine-clients']);
    expect(decision.sizes.id).toBeUndefined();
  });
});

describe('audit and size', () => {
  it('records a tokens-issued event with names only, never values', () => {
    const rules = load([
      { name: 'secret', then: { claims: { tenant: '${custom:tenant_id}' } } },
    ]).compiled;

    const decision = decideTokens(tokenEvent('v2/authentication'), rules, {
      now: FIXED_NOW,
      budget: 4096,
    });

    const text = JSON.stringify(decision.audit);
    expect(text).toContain('secret');
    expect(text).toContain('tenant');
    expect(text).not.toContain('tenant-42');
  });

  it('names the tokens estimated above the budget', () => {
    const rules = load([{ then: { idToken: { claims: { blob: 'x'.repeat(3000) } } } }]).compiled;

    const decision = decideTokens(tokenEvent('v2/authentication'), rules, {
      now: FIXED_NOW,
      budget: 3000,
    });

    expect(decision.oversized).toEqual(['id']);
    expect(decision.sizes.id).toBeGreaterThan(4000);
  });
});
