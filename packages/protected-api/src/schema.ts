/**
 * The event: API Gateway HTTP API, payload format 2.0, with a JWT authorizer (claims at
 * requestContext.authorizer.jwt.claims, scopes beside them).
 *
 * The shape is Powertools' `APIGatewayProxyEventV2Schema` (a parity test checks both
 * accept the same fixtures), written with zod's mini build (`zod/mini`), as the kit's
 * schemas are, so the bundle keeps only the zod it uses (see packages/kit/README.md).
 */
import * as z from 'zod/mini';

const StringRecord = z.record(z.string(), z.string());
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const JwtAuthorizerSchema = z.looseObject({
  jwt: z.optional(
    z.object({
      claims: z.record(z.string(), z.unknown()),
      scopes: z.nullable(z.array(z.string())),
    }),
  ),
});

export const ApiEventSchema = z.object({
  version: z.string(),
  routeKey: z.string(),
  rawPath: z.string(),
  rawQueryString: z.string(),
  cookies: z.optional(z.array(z.string())),
  headers: StringRecord,
  queryStringParameters: z.optional(StringRecord),
  pathParameters: z.nullish(StringRecord),
  stageVariables: z.nullish(StringRecord),
  body: z.optional(z.string()),
  isBase64Encoded: z.boolean(),
  requestContext: z.object({
    accountId: z.string(),
    apiId: z.string(),
    authorizer: z.optional(JwtAuthorizerSchema),
    domainName: z.string(),
    domainPrefix: z.string(),
    http: z.object({
      method: z.enum(HTTP_METHODS),
      path: z.string(),
      protocol: z.string(),
      sourceIp: z.union([z.ipv4(), z.ipv6()]),
      userAgent: z.string(),
    }),
    requestId: z.string(),
    routeKey: z.string(),
    stage: z.string(),
    time: z.string(),
    timeEpoch: z.number(),
  }),
});
export type ApiEvent = z.output<typeof ApiEventSchema>;
