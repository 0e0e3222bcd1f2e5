import { describe, expect, it } from 'vitest';
import { applyResponse, estimateJwtLength, untouchedClaims } from '../../src/index.js';
import { FIXED_NOW, tokenEvent } from '../helpers.js';

describe('untouched tokens', () => {
  it('builds the ID token from attributes, groups and the client as Cognito does', () => {
    const { id } = untouchedClaims(tokenEvent('v2/authentication'), FIXED_NOW);

    expect(id).toMatchObject({
      sub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      email_verified: true,
      'custom:tenant_id': 'tenant-42',
      'cognito:groups': ['users', 'admins'],
      'cognito:username': 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      aud: '1example23456789abcdefghij',
      token_use: 'id',
      iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE1a',
      iat: FIXED_NOW / 1000,
      exp: FIXED_NOW / 1000 + 3600,
    });
    expect(id).not.toHaveProperty('cognito:user_status');
  });

  it('builds the access token with scopes as one space-separated claim', () => {
    const { access } = untouchedClaims(tokenEvent('v2/authentication'), FIXED_NOW);

    expect(access).toMatchObject({
      token_use: 'access',
      scope: 'openid email profile aws.cognito.signin.user.admin',
      client_id: '1example23456789abcdefghij',
      'cognito:groups': ['users', 'admins'],
    });
    expect(access).not.toHaveProperty('email');
  });

  it('builds only an access token for a machine client', () => {
    const tokens = untouchedClaims(tokenEvent('v3/client-credentials'), FIXED_NOW);

    expect(tokens.id).toBeUndefined();
    expect(tokens.access).toMatchObject({
      sub: '2machine3456789abcdefghijk',
      scope: 'api/read api/write',
    });
  });
});

describe('applying a response as Cognito does', () => {
  it('overrides, suppresses (suppression winning), and changes scopes', () => {
    const base = untouchedClaims(tokenEvent('v2/authentication'), FIXED_NOW);

    const after = applyResponse(base, {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { a: 1, email: 'x' },
          claimsToSuppress: ['email'],
        },
        accessTokenGeneration: {
          scopesToAdd: ['api/read', 'openid'],
          scopesToSuppress: ['email', 'api/read'],
        },
      },
    });

    expect(after.id).toMatchObject({ a: 1 });
    expect(after.id).not.toHaveProperty('email');
    expect(after.access.scope).toBe('openid profile aws.cognito.signin.user.admin');
    expect(base.id).toHaveProperty('email');
  });

  it('removes groups when group details leave them out', () => {
    const base = untouchedClaims(tokenEvent('v2/authentication'), FIXED_NOW);

    const after = applyResponse(base, {
      claimsAndScopeOverrideDetails: {
        groupOverrideDetails: { groupsToOverride: [], iamRolesToOverride: [] },
      },
    });

    expect(after.id).not.toHaveProperty('cognito:groups');
    expect(after.id).not.toHaveProperty('cognito:preferred_role');
    expect(after.access).not.toHaveProperty('cognito:groups');
  });

  it('applies a V1_0 response to the ID token and the groups of both', () => {
    const base = untouchedClaims(tokenEvent('v1/authentication'), FIXED_NOW);

    const after = applyResponse(base, {
      claimsOverrideDetails: {
        claimsToAddOrOverride: { t: 'x' },
        groupOverrideDetails: { groupsToOverride: ['g'], iamRolesToOverride: [] },
      },
    });

    expect(after.id).toMatchObject({ t: 'x', 'cognito:groups': ['g'] });
    expect(after.access).toMatchObject({ 'cognito:groups': ['g'] });
    expect(after.access).not.toHaveProperty('t');
  });
});

describe('token size estimate', () => {
  it('grows with the payload by four characters per three bytes', () => {
    const small = estimateJwtLength({ a: 'x' });
    const large = estimateJwtLength({ a: 'x'.repeat(3001) });

    expect(large - small).toBe(4000);
  });

  it('estimates a typical Cognito ID token between 800 and 2000 characters', () => {
    const { id } = untouchedClaims(tokenEvent('v2/authentication'), FIXED_NOW);

    expect(estimateJwtLength(id!)).toBeGreaterThan(800);
    expect(estimateJwtLength(id!)).toBeLessThan(2000);
  });
});
