import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { answerHistory } from '../../src/history/answer.js';
import { createAthenaHistoryEngine } from '../../src/history/athena-engine.js';
import { NOW } from './fixtures.js';

const athena = mockClient(AthenaClient);

/** A GetQueryResults page as Athena answers it: a header row, then values as text. */
function resultsPage(columns: [string, string][], rows: string[][]) {
  const header = { Data: columns.map(([name]) => ({ VarCharValue: name })) };
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type]) => ({ Name, Type })) },
      Rows: [
        header,
        ...rows.map((row) => ({ Data: row.map((VarCharValue) => ({ VarCharValue })) })),
      ],
    },
  };
}

describe('the history routes on Athena (the detections query module)', () => {
  beforeEach(() => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: {} } });
  });

  it('runs the summary in the audit workgroup with the filters as execution parameters', async () => {
    athena.on(GetQueryResultsCommand).resolves(
      resultsPage(
        [
          ['sign_ins', 'bigint'],
          ['failures', 'bigint'],
          ['new_devices', 'bigint'],
          ['sign_ups_denied', 'bigint'],
          ['open_findings', 'bigint'],
          ['events', 'bigint'],
        ],
        [['40', '10', '2', '1', '3', '60']],
      ),
    );
    const engine = createAthenaHistoryEngine({
      workGroup: 'authwatch-audit-dev',
      database: 'authwatch_audit_dev',
      client: athena as unknown as AthenaClient,
      sleep: async () => undefined,
    });

    const answer = await answerHistory(
      {
        route: 'security-summary',
        pathParams: {},
        query: { range: '1h', user: "o'brien" },
        now: NOW,
      },
      engine,
    );

    expect(answer).toEqual({
      status: 200,
      body: expect.objectContaining({
        signIns: 40,
        failures: 10,
        failureRate: 0.25,
        openFindings: 3,
      }),
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      WorkGroup: 'authwatch-audit-dev',
      QueryExecutionContext: { Database: 'authwatch_audit_dev' },
      ExecutionParameters: [String(NOW - 3_600_000), String(NOW), "'o''brien'", "'o''brien'"],
    });
    expect(start?.QueryString).toContain('FROM authwatch_events');
    expect(start?.QueryString).not.toContain('brien');
  });

  it('turns a failed Athena query into a history query error (a 502 for the page)', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: 'COLUMN_NOT_FOUND',
          AthenaError: { ErrorCategory: 2 },
        },
      },
    });
    const engine = createAthenaHistoryEngine({
      workGroup: 'wg',
      database: 'db',
      client: athena as unknown as AthenaClient,
      sleep: async () => undefined,
    });

    await expect(
      answerHistory({ route: 'security-events', pathParams: {}, query: {}, now: NOW }, engine),
    ).rejects.toMatchObject({
      name: 'HistoryQueryError',
      message: expect.stringContaining('COLUMN_NOT_FOUND'),
    });
  });
});
