import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MANAGEMENT_CALL_NAMES,
  mapManagementBody,
  mapManagementRecord,
} from '../../src/management.js';
import { CONFIG, countryGeo, trailEvent } from '../helpers.js';

const FIXTURES = [
  'admin-add-user-to-group',
  'admin-set-user-password',
  'admin-create-user',
  'admin-update-user-attributes',
  'update-user-pool-detach-trigger',
  'update-user-pool-client-callback',
  'create-identity-provider-unredacted',
  'set-user-pool-mfa-config-on',
  'create-user-import-job',
];

/** A secret no other part of an event could contain by chance. */
const secret = fc.string({ minLength: 6, maxLength: 40 }).map((s) => `SECRET${s}TERCES`);

/** Where a credential can sit in a request, whether or not AWS redacted it. */
const CREDENTIAL_PATHS: string[][] = [
  ['password'],
  ['temporaryPassword'],
  ['previousPassword'],
  ['clientSecret'],
  ['secretHash'],
  ['session'],
  ['accessToken'],
  ['refreshToken'],
  ['code'],
  ['confirmationCode'],
  ['authParameters', 'PASSWORD'],
  ['clientMetadata', 'otp'],
  ['providerDetails', 'client_secret'],
  ['providerDetails', 'private_key'],
  ['userAttributes', '0', 'value'],
  ['lambdaConfig', 'kMSKeyID', 'secret'],
];

function put(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null)
      node[key] = /^\d+$/.test(path[1] ?? '') ? [{ name: 'email' }] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

describe('admin-change mapping properties', () => {
  it('never lets a credential out, wherever the record puts it and whatever the call', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.constantFrom(...MANAGEMENT_CALL_NAMES),
        fc.constantFrom(...CREDENTIAL_PATHS),
        secret,
        (fixture, eventName, path, value) => {
          const event = trailEvent(`management/${fixture}`, (detail) => {
            detail.eventName = eventName;
            put(detail.requestParameters as Record<string, unknown>, path, value);
            detail.responseElements = { userPoolClient: { clientSecret: value }, session: value };
          });
          const mapped = mapManagementRecord(event.detail, CONFIG, countryGeo());
          expect(JSON.stringify(mapped)).not.toContain(value);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never passes a token-looking or PEM value on, under any member name', () => {
    const jwt = fc
      .tuple(fc.base64String({ minLength: 8, maxLength: 40 }), fc.base64String({ minLength: 8 }))
      .map(([a, b]) => `eyJ${a.replace(/[+/=]/g, 'x')}.${b.replace(/[+/=]/g, 'y')}.sig`);
    fc.assert(
      fc.property(
        fc.constantFrom('UpdateUserPoolClient', 'CreateGroup', 'UpdateUserPool'),
        fc.constantFrom('clientName', 'groupName', 'description', 'callbackURLs', 'poolName'),
        fc.oneof(jwt, fc.constant('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----')),
        (eventName, member, value) => {
          const event = trailEvent('management/update-user-pool-client-callback', (detail) => {
            detail.eventName = eventName;
            (detail.requestParameters as Record<string, unknown>)[member] =
              member === 'callbackURLs' ? [value] : value;
          });
          const mapped = mapManagementRecord(event.detail, CONFIG, countryGeo());
          expect(JSON.stringify(mapped)).not.toContain(value.slice(0, 24));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('maps any body to an event, a named skip or nothing, never a crash', () => {
    const detail = fc.record(
      {
        eventSource: fc.constantFrom('cognito-idp.amazonaws.com', 's3.amazonaws.com'),
        eventName: fc.constantFrom(...MANAGEMENT_CALL_NAMES, 'ListUsers'),
        eventTime: fc.oneof(fc.constant('2026-11-23T21:45:00Z'), fc.string()),
        eventID: fc.oneof(fc.uuid(), fc.string()),
        awsRegion: fc.oneof(fc.constant('us-east-1'), fc.string()),
        userIdentity: fc.jsonValue(),
        requestParameters: fc.jsonValue(),
        responseElements: fc.jsonValue(),
        additionalEventData: fc.jsonValue(),
        sourceIPAddress: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        userAgent: fc.string(),
        errorCode: fc.option(fc.string()),
      },
      { requiredKeys: ['eventSource', 'eventName'] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          detail.map((d) => JSON.stringify({ source: 'aws.cognito-idp', detail: d })),
          detail.map((d) => JSON.stringify(d)),
        ),
        (body) => {
          const mapped = mapManagementBody(body, CONFIG, countryGeo());
          if (mapped !== undefined) expect(['event', 'skip']).toContain(mapped.kind);
          if (mapped?.kind === 'event') {
            expect([3001, 3005, 6003]).toContain(mapped.event.class_uid);
            expect(mapped.event.type_uid).toBe(
              mapped.event.class_uid * 100 + mapped.event.activity_id,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
