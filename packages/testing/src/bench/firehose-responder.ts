/**
 * A tiny Firehose-compatible HTTP responder for benchmarks: answers PutRecord and
 * PutRecordBatch (awsJson1_1) as a healthy stream would, so the benchmark measures a
 * real SDK request over loopback without depending on the local stack's package.
 */
import { createServer, type Server } from 'node:http';

export async function startFirehoseResponder(): Promise<{ url: string; close(): Promise<void> }> {
  let id = 0;
  const nextId = () => {
    id += 1;
    return String(id);
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let body: unknown;
      if (target.endsWith('.PutRecordBatch')) {
        const records = (
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: unknown[] }
        ).Records;
        body = {
          FailedPutCount: 0,
          Encrypted: false,
          RequestResponses: records.map(() => ({ RecordId: nextId() })),
        };
      } else {
        body = { RecordId: nextId(), Encrypted: false };
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
