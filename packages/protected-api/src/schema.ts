/**
 * The event: API Gateway HTTP API, payload format 2.0, with a JWT authorizer (claims at
 * requestContext.authorizer.jwt.claims, scopes beside them).
 *
 * The shape is Powertools' `APIGatewayProxyEventV2Schema` (a parity test checks both
 * accept the same fixtures), written here with `import * as z` so the bundle keeps only
 * the zod it uses (see packages/kit/README.md).
 */
import * as z from 'zod';

const StringRecord = z.record(z.string(), z.string());
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const JwtAuthorizerSchema = z.object({
  jwt: z
    .object({
      claims: z.record(z.string(), z.unknown()),
      scopes: z.array(z.string()).nullable(),
    })
    .optional(),
});

export const ApiEventSchema = z.object({
  version: z.string(),
  routeKey: z.string(),
  rawPath: z.string(),
  rawQueryString: z.string(),
  cookies: z.array(z.string()).optional(),
  headers: StringRecord,
  queryStringParameters: StringRecord.optional(),
  pathParameters: StringRecord.nullish(),
  stageVariables: StringRecord.nullish(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean(),
  requestContext: z.object({
    accountId: z.string(),
    apiId: z.string(),
    authorizer: JwtAuthorizerSchema.loose().optional(),
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
