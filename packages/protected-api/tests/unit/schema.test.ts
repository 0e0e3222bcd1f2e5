import { getTestEvent, listTestEvents } from '@authwatch/testing';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiEventSchema } from '../../src/index.js';

describe('the API event schema', () => {
  it.each(listTestEvents('protected-api'))('accepts the %s fixture as Powertools does', (name) => {
    const event = getTestEvent(name);

    expect(ApiEventSchema.safeParse(event).success).toBe(true);
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(true);
  });

  it('agrees with Powertools on random changes to an event', () => {
    const paths = [
      ['requestContext', 'http', 'method'],
      ['requestContext', 'http', 'sourceIp'],
      ['requestContext', 'authorizer', 'jwt', 'scopes'],
      ['requestContext', 'timeEpoch'],
      ['headers'],
      ['rawPath'],
      ['isBase64Encoded'],
      ['body'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const event = getTestEvent<Record<string, unknown>>('protected-api/me');
        let target = event as Record<string, unknown>;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path.at(-1)!] = value;

        expect(ApiEventSchema.safeParse(event).success).toBe(
          APIGatewayProxyEventV2Schema.safeParse(event).success,
        );
      }),
      { numRuns: 300 },
    );
  });
});
