import { UserFacingError } from '@authwatch/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRE_SIGNUP_ENV } from '../../src/config.js';
import { DomainSet, emailDomain } from '../../src/domains.js';
import { evaluatePolicy } from '../../src/policy.js';
import { preSignUp } from '../../src/pre-signup.js';
import { config, preSignUpEvent, withEmail } from '../helpers.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
const localPart = fc.stringMatching(/^[A-Za-z0-9._%+'-]{1,20}$/);
const email = fc.tuple(localPart, domain).map(([local, host]) => `${local}@${host}`);
/** Anything a client could put in the email attribute. */
const anyEmail = fc.oneof(
  email,
  fc.string(),
  fc.string().map((text) => `${text}@${text}`),
);
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const source = fc.constantFrom('sign-up', 'admin-create-user', 'external-provider');

const noLinks = {
  async findNativeUser() {
    return undefined;
  },
  async linkIdentity() {
    throw new Error('not expected');
  },
};

describe('sign-up policy properties', () => {
  it('never throws for any email, domain lists and source; a denial is a UserFacingError', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyEmail,
        fc.array(domain, { maxLength: 3 }),
        fc.array(domain, { maxLength: 3 }),
        source,
        async (address, allow, deny, fixture) => {
          // Prepare
          const policy = config({
            [PRE_SIGNUP_ENV.allowDomains]: allow.join(','),
            [PRE_SIGNUP_ENV.denyDomains]: deny.join(','),
          });
          const event = preSignUpEvent(fixture, withEmail(address));
          // Act
          const outcome = await preSignUp(event, policy, {
            directory: noLinks,
            deadline: Date.now() + 1_000,
            now: 0,
          });
          // Assess
          if (outcome.error) {
            expect(outcome.error).toBeInstanceOf(UserFacingError);
            if (/\S@\S/.test(address)) expect(outcome.error.message).not.toContain(address);
            expect(outcome.error.message).not.toContain('@');
          } else {
            expect(outcome.response).toBeDefined();
          }
          expect(outcome.audit).toHaveLength(1);
        },
      ),
    );
  });

  it('matches a listed domain, every subdomain of it, and nothing that merely ends alike', () => {
    fc.assert(
      fc.property(domain, fc.array(label, { maxLength: 3 }), label, (listed, sub, prefix) => {
        const set = new DomainSet([listed]);
        const below = [...sub, listed].join('.');
        expect(set.has(below)).toBe(true);
        // `prefix + listed` without a dot is another domain, not a subdomain.
        expect(set.has(`${prefix}${listed}`)).toBe(false);
      }),
    );
  });

  it('lets the deny list win over the allow list', () => {
    fc.assert(
      fc.property(localPart, domain, fc.array(label, { maxLength: 2 }), (local, listed, sub) => {
        const policy = config({
          [PRE_SIGNUP_ENV.allowDomains]: listed,
          [PRE_SIGNUP_ENV.denyDomains]: listed,
        });
        const address = `${local}@${[...sub, listed].join('.')}`;
        expect(evaluatePolicy(preSignUpEvent('sign-up', withEmail(address)), policy)).toEqual({
          allowed: false,
          reason: 'domain-denied',
        });
      }),
    );
  });

  it('decides the same whatever the case of the email and of the lists', () => {
    fc.assert(
      fc.property(
        email.chain((address) => fc.tuple(fc.constant(address), randomCase(address))),
        domain.chain((listed) => fc.tuple(fc.constant(listed), randomCase(listed))),
        fc.boolean(),
        ([address, addressCased], [listed, listedCased], asDeny) => {
          const variable = asDeny ? PRE_SIGNUP_ENV.denyDomains : PRE_SIGNUP_ENV.allowDomains;
          const lower = evaluatePolicy(
            preSignUpEvent('sign-up', withEmail(address)),
            config({ [variable]: listed }),
          );
          const mixed = evaluatePolicy(
            preSignUpEvent('sign-up', withEmail(addressCased)),
            config({ [variable]: listedCased }),
          );
          expect(mixed).toEqual(lower);
        },
      ),
    );
  });

  it('allows exactly the emails under an allow-listed domain', () => {
    fc.assert(
      fc.property(email, domain, (address, listed) => {
        const policy = config({
          [PRE_SIGNUP_ENV.allowDomains]: listed,
          [PRE_SIGNUP_ENV.blockDisposable]: 'false',
        });
        const host = emailDomain(address) ?? '';
        const under = host === listed || host.endsWith(`.${listed}`);
        const decision = evaluatePolicy(preSignUpEvent('sign-up', withEmail(address)), policy);
        expect(decision.allowed).toBe(under);
      }),
    );
  });
});
