import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueryError } from '../../src/errors.js';
import { AthenaEngine, athenaParameter } from '../../src/query/athena.js';

const athena = mockClient(AthenaClient);
let clock = 0;
const sleeps: number[] = [];

function engine(timeoutMs = 60_000) {
  return new AthenaEngine({
    workGroup: 'authwatch-audit-dev',
    database: 'authwatch_audit_dev',
    timeoutMs,
    client: new AthenaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0.5,
  });
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
const header = {
  Data: [{ VarCharValue: 'g0' }, { VarCharValue: 'event_count' }, { VarCharValue: 'values_0' }],
};
const columns = {
  ColumnInfo: [
    { Name: 'g0', Type: 'varchar' },
    { Name: 'event_count', Type: 'bigint' },
    { Name: 'values_0', Type: 'varchar' },
  ],
};

beforeEach(() => {
  athena.reset();
  clock = 0;
  sleeps.length = 0;
});

describe('the Athena engine', () => {
  it('starts the query in the workgroup with its parameters, polls, and reads every page without the header', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: {
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 1234 },
        },
      });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: {
          ResultSetMetadata: columns,
          Rows: [
            header,
            {
              Data: [
                { VarCharValue: '198.18.1.1' },
                { VarCharValue: '18' },
                { VarCharValue: '["a"]' },
              ],
            },
          ],
        },
        NextToken: 'page-2',
      })
      .resolves({
        ResultSet: {
          ResultSetMetadata: columns,
          Rows: [{ Data: [{ VarCharValue: '198.18.2.2' }, { VarCharValue: '30' }, {}] }],
        },
      });

    const result = await engine().query('SELECT 1 WHERE eventday >= ? AND time >= ?', [
      '20261123',
      1795428000000,
    ]);

    expect(result).toEqual({
      rows: [
        { g0: '198.18.1.1', event_count: 18, values_0: '["a"]' },
        { g0: '198.18.2.2', event_count: 30, values_0: null },
      ],
      bytesScanned: 1234,
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      WorkGroup: 'authwatch-audit-dev',
      QueryExecutionContext: { Database: 'authwatch_audit_dev' },
      ExecutionParameters: ["'20261123'", '1795428000000'],
    });
    expect(athena.commandCalls(GetQueryResultsCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('retries a throttled start with the same request token, so the query runs once', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ QueryExecutionId: 'q-2' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: columns, Rows: [header] },
    });

    await engine().query('SELECT 1', []);

    const tokens = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
    expect(sleeps.slice(0, 2)).toEqual([200, 400]);
  });

  it('reports a failed query with Athena reason and whether a retry may help', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
          AthenaError: { ErrorCategory: 2, Retryable: false },
        },
      },
    });
    const failure = await engine()
      .query('SELECT x', [])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryError);
    expect(failure).toMatchObject({
      retryable: false,
      message: expect.stringContaining('COLUMN_NOT_FOUND'),
    });
  });

  it('stops a query still running at its deadline and reports it retryable', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'QUEUED' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const failure = await engine(10_000)
      .query('SELECT 1', [])
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'QueryError',
      retryable: true,
      message: expect.stringContaining('deadline'),
    });
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryExecutionId: 'q-4',
    });
  });

  it('gives up on an access error at once', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const failure = await engine()
      .query('SELECT 1', [])
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ retryable: false });
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('writes parameters as Athena literals (strings quoted, quotes doubled)', () => {
    expect(athenaParameter(12)).toBe('12');
    expect(athenaParameter("2026'11")).toBe("'2026''11'");
    expect(() => athenaParameter(Number.NaN)).toThrow(RangeError);
  });
});
