import { describe, expect, it } from 'vitest';
import { PRE_AUTH_ENV } from '../../src/config.js';
import { hashUserName, REFUSAL_MESSAGE } from '../../src/policy.js';
import {
  ADMIN_CLIENT,
  context,
  HASH_KEY,
  harness,
  rawEvent,
  stubGroups,
  WEB_CLIENT,
} from '../helpers.js';

const RULES = JSON.stringify([{ groups: ['admins'], clients: [ADMIN_CLIENT] }]);

async function refusalOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('pre authentication handler', () => {
  it('lets a known user through with an empty response and one Preauth event', async () => {
    // Prepare
    const { handler, events } = harness();
    const event = rawEvent('authentication');

    // Act
    const result = (await handler(structuredClone(event), context())) as { response: object };

    // Assess
    expect(result.response).toEqual({});
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({
      class_uid: 3002,
      activity_id: 6,
      activity_name: 'Preauth',
      type_uid: 300206,
      status_id: 1,
      metadata: { log_name: 'sign-in-attempt', log_provider: 'cognito-trigger' },
      user: { name: event.userName, uid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', type: 'User' },
      unmapped: {
        clientId: WEB_CLIENT,
        triggerSource: 'PreAuthentication_Authentication',
        userNotFound: false,
        userNameHash: hashUserName(HASH_KEY, event.userName),
      },
    });
  });

  it('records an unknown user by the keyed hash of the entered name, never the name', async () => {
    // Prepare
    const { handler, events } = harness();
    const event = rawEvent('user-not-found');

    // Act
    await handler(structuredClone(event), context());

    // Assess
    const [recorded] = events();
    expect(recorded?.user).toEqual({ type: 'User' });
    expect(recorded?.unmapped).toMatchObject({
      userNotFound: true,
      userNameHash: hashUserName(HASH_KEY, 'nobody@example.com'),
    });
    expect(JSON.stringify(events())).not.toContain('nobody');
  });

  it('hashes the same guess to the same value whatever its case or spacing', () => {
    expect(hashUserName(HASH_KEY, ' Nobody@Example.com ')).toBe(
      hashUserName(HASH_KEY, 'nobody@example.com'),
    );
    expect(hashUserName('another-key-0123456789', 'nobody@example.com')).not.toBe(
      hashUserName(HASH_KEY, 'nobody@example.com'),
    );
  });

  it('takes the source IP the app passed in ClientMetadata (validationData here)', async () => {
    const { handler, events } = harness();
    await handler(
      rawEvent('authentication', (e) => {
        e.request.validationData = { sourceIp: '198.51.100.7' };
      }),
      context(),
    );
    expect(events()[0]?.src_endpoint).toEqual({ ip: '198.51.100.7' });
  });

  it('refuses a locked user until the lock ends, with wording that names no reason', async () => {
    // Prepare
    const { handler, events } = harness({ [PRE_AUTH_ENV.lock]: 'true' });

    // Act
    const message = await refusalOf(handler(rawEvent('locked'), context()));

    // Assess
    expect(message).toBe(REFUSAL_MESSAGE);
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({
      activity_id: 6,
      status_id: 2,
      metadata: { log_name: 'sign-in-refused' },
      status_detail: 'locked until 2026-11-18T11:16:40.000Z',
      src_endpoint: { ip: '198.51.100.7' },
    });
  });

  it('lets the user in once the lock has passed', async () => {
    const { handler, events } = harness({ [PRE_AUTH_ENV.lock]: 'true' });
    const event = rawEvent('locked', (e) => {
      e.request.userAttributes['custom:authwatch_lock_until'] = '1794999999';
    });
    await expect(handler(event, context())).resolves.toBeDefined();
    expect(events()[0]?.status_id).toBe(1);
  });

  it('ignores the lock attribute when locks are off', async () => {
    const { handler } = harness();
    await expect(handler(rawEvent('locked'), context())).resolves.toBeDefined();
  });

  it('refuses an admin through the web client and lets them through the admin client', async () => {
    // Prepare
    const groups = stubGroups({ 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['admins'] });
    const { handler, events } = harness({ [PRE_AUTH_ENV.clientRules]: RULES }, groups);

    // Act
    const viaWeb = await refusalOf(handler(rawEvent('authentication'), context()));
    const viaAdmin = await refusalOf(
      handler(
        rawEvent('authentication', (e) => {
          e.callerContext.clientId = ADMIN_CLIENT;
        }),
        context(),
      ),
    );

    // Assess
    expect([viaWeb, viaAdmin]).toEqual([REFUSAL_MESSAGE, undefined]);
    expect(events().map((e) => e.status_detail)).toEqual([
      `members of admins may not sign in through client ${WEB_CLIENT}`,
      'attempt',
    ]);
  });

  it('lets a user outside the listed groups use any client', async () => {
    const groups = stubGroups({ 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['readers'] });
    const { handler } = harness({ [PRE_AUTH_ENV.clientRules]: RULES }, groups);
    await expect(handler(rawEvent('authentication'), context())).resolves.toBeDefined();
  });

  it('fails closed when the group lookup fails', async () => {
    const { handler, events, warnings } = harness(
      { [PRE_AUTH_ENV.clientRules]: RULES },
      stubGroups({}, true),
    );
    expect(await refusalOf(handler(rawEvent('authentication'), context()))).toBe(REFUSAL_MESSAGE);
    expect(events()[0]?.status_detail).toBe('group lookup failed');
    expect(warnings).toHaveLength(1);
  });

  it('makes the same group lookup for an unknown name as for a known one', async () => {
    // Prepare: no timing oracle, the same calls whatever the name.
    const groups = stubGroups({});
    const { handler, events } = harness({ [PRE_AUTH_ENV.clientRules]: RULES }, groups);

    // Act
    await handler(rawEvent('authentication'), context());
    await handler(rawEvent('user-not-found'), context());

    // Assess
    expect(groups.calls).toEqual(['a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', 'nobody@example.com']);
    expect(events()).toHaveLength(2);
  });

  it('makes no group lookup when no client restriction is configured', async () => {
    const groups = stubGroups({});
    const { handler } = harness({}, groups);
    await handler(rawEvent('authentication'), context());
    expect(groups.calls).toEqual([]);
  });

  it('refuses a malformed event with the generic message and records nothing', async () => {
    const { handler, events } = harness();
    const event = rawEvent('authentication', (e) => {
      (e as { userName?: unknown }).userName = 42;
    });
    expect(await refusalOf(handler(event, context()))).not.toBe(REFUSAL_MESSAGE);
    expect(events()).toEqual([]);
  });
});
