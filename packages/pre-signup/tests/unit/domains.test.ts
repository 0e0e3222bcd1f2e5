import { describe, expect, it } from 'vitest';
import { DomainSet, emailDomain, normalizeDomain } from '../../src/domains.js';

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['  example.com  ', 'example.com'],
    ['*.example.com', 'example.com'],
    ['.example.com', 'example.com'],
    ['example.com.', 'example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['localhost', 'localhost'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeDomain(raw)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'exa mple.com',
    'example..com',
    '-example.com',
    'example-.com',
    'ex_ample.com',
    '*',
    'a@b.com',
    `${'a'.repeat(64)}.com`,
  ])('refuses %j', (raw) => {
    expect(normalizeDomain(raw)).toBeUndefined();
  });
});

describe('emailDomain', () => {
  it('returns the lower-cased domain after the last @', () => {
    expect(emailDomain('User.One@Mail.Example.COM')).toBe('mail.example.com');
    expect(emailDomain('"odd@local"@example.com')).toBe('example.com');
  });

  it.each([
    'no-at-sign',
    '@example.com',
    'user@',
    'user@example.com.',
    'user@.example.com',
    'user@*.example.com',
    'user@exa mple.com',
  ])('has no domain for %j', (email) => {
    expect(emailDomain(email)).toBeUndefined();
  });
});

describe('DomainSet', () => {
  const set = new DomainSet(['example.com', 'corp.example.org']);

  it('matches a listed domain and its subdomains', () => {
    expect(set.match('example.com')).toBe('example.com');
    expect(set.match('mail.eu.example.com')).toBe('example.com');
    expect(set.match('x.corp.example.org')).toBe('corp.example.org');
  });

  it('does not match a domain that only ends with the same letters', () => {
    expect(set.has('badexample.com')).toBe(false);
    expect(set.has('example.org')).toBe(false);
    expect(set.has('com')).toBe(false);
  });

  it('reports its size', () => {
    expect(set.size).toBe(2);
    expect(new DomainSet([]).size).toBe(0);
  });
});
