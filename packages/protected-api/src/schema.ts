/**
 * The event: API Gateway HTTP API, payload format 2.0, with a JWT authorizer. Powertools'
 * schema is right for it (claims at requestContext.authorizer.jwt.claims, scopes beside).
 */
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { z } from 'zod';

export const ApiEventSchema = APIGatewayProxyEventV2Schema;
export type ApiEvent = z.output<typeof ApiEventSchema>;
