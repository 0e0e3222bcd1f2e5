/**
 * Stand-ins for the AWS endpoints a trigger's first invocations call, on loopback, so the
 * bundle benchmark times real SDK requests (signing, serialising, one HTTP round trip)
 * without an AWS account: Firehose PutRecord/PutRecordBatch, SES SendEmail, Cognito
 * ListUsers, Secrets Manager GetSecretValue and an AppSync Events publish. Each answers
 * as a healthy service would, in the service's own protocol (awsJson1_1, awsQuery XML,
 * the Events API's JSON). The trigger processes reach them through the SDK's
 * `AWS_ENDPOINT_URL_<SERVICE>` variables ({@link responderEnvironment}).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Responder {
  url: string;
  /** Requests answered so far, by operation (`Firehose.PutRecord`, `SES.SendEmail`, ...). */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

function json(response: ServerResponse, body: unknown, type = 'application/x-amz-json-1.1'): void {
  response.writeHead(200, { 'content-type': type });
  response.end(JSON.stringify(body));
}

/** The answer to one request, and the operation it was, or undefined for an unknown one. */
function answer(request: IncomingMessage, body: string, response: ServerResponse): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('Firehose_')) {
    if (target.endsWith('.PutRecordBatch')) {
      const records = (JSON.parse(body) as { Records?: unknown[] }).Records ?? [];
      json(response, {
        FailedPutCount: 0,
        Encrypted: false,
        RequestResponses: records.map(() => ({ RecordId: randomUUID() })),
      });
      return 'Firehose.PutRecordBatch';
    }
    json(response, { RecordId: randomUUID(), Encrypted: false });
    return 'Firehose.PutRecord';
  }
  if (target === 'AWSCognitoIdentityProviderService.ListUsers') {
    json(response, { Users: [] });
    return 'Cognito.ListUsers';
  }
  if (target === 'secretsmanager.GetSecretValue') {
    json(response, {
      ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authwatch-bench',
      Name: 'authwatch-bench',
      SecretString: Buffer.alloc(32, 7).toString('base64'),
    });
    return 'SecretsManager.GetSecretValue';
  }
  if (new URLSearchParams(body).get('Action') === 'SendEmail') {
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      `<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult><MessageId>${randomUUID()}</MessageId></SendEmailResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendEmailResponse>`,
    );
    return 'SES.SendEmail';
  }
  if (request.url === '/event') {
    const events = (JSON.parse(body) as { events?: unknown[] }).events ?? [];
    json(
      response,
      {
        successful: events.map((_event, index) => ({ identifier: randomUUID(), index })),
        failed: [],
      },
      'application/json',
    );
    return 'AppSyncEvents.publish';
  }
  response.writeHead(400, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ message: `benchmark responder: unknown request ${target}` }));
  return `unknown ${target || request.url}`;
}

/** Starts the responder on a free loopback port. */
export async function startResponder(): Promise<Responder> {
  const calls = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = answer(request, Buffer.concat(chunks).toString('utf8'), response);
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('responder has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The variables that point a trigger's SDK clients and live feed at the responder. */
export function responderEnvironment(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_FIREHOSE: url,
    AWS_ENDPOINT_URL_SES: url,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AUDIT_LIVE_FEED_ENDPOINT: `${url}/event`,
  };
}
