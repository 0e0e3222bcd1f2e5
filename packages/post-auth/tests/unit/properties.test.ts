import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authMethodOf, mfaOf, planPostAuth } from '../../src/post-auth.js';
import { config, NOW, postAuthEvent } from '../helpers.js';

describe('post authentication properties', () => {
  it('plans any client metadata and attributes without throwing, one audit event each', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('sourceIp', 'ip', 'authMethod', 'mfa', 'other'), fc.string()),
        fc.string(),
        fc.boolean(),
        (metadata, givenName, newDevice) => {
          const event = postAuthEvent('new-device', (raw) => {
            raw.request.clientMetadata = metadata;
            raw.request.userAttributes.given_name = givenName;
            raw.request.newDeviceUsed = newDevice;
          });
          const plan = planPostAuth(event, config(), NOW);
          expect(plan.audit).toHaveLength(1);
          expect(plan.mail !== undefined).toBe(newDevice);
          if (plan.mail) {
            // No attribute can inject markup into the HTML part or a header line.
            const html = plan.mail.html.replace(/<\/?[a-z!][^>]*>/g, '');
            expect(html).not.toMatch(/[<>]/);
            expect(plan.mail.subject).not.toMatch(/[\r\n]/);
          }
        },
      ),
    );
  });

  it('reads hints as a short token or a boolean, or not at all', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (method, mfa) => {
        const parsed = authMethodOf({ authMethod: method });
        if (parsed !== undefined) expect(parsed).toMatch(/^[A-Za-z0-9_.:-]{1,40}$/);
        expect([true, false, undefined]).toContain(mfaOf({ mfa }));
      }),
    );
  });
});
