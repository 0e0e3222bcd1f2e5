/**
 * The Athena engine: StartQueryExecution in the audit workgroup with the query's `?`
 * parameters as ExecutionParameters, polling until the query ends, then the result
 * pages. Throttling and Athena's own retryable errors are retried with full jitter
 * (the same ClientRequestToken, so a retried start never runs the query twice); a
 * failed query is a QueryError saying whether Athena thinks a retry may work; a query
 * still running at its deadline is stopped (StopQueryExecution) and reported retryable.
 */
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { QueryError } from '../errors.js';
import type { QueryEngine, QueryParam, QueryResult } from './engine.js';

export interface AthenaEngineOptions {
  workGroup: string;
  database: string;
  /** Longest time one query may take, polling included (default 120 s). */
  timeoutMs?: number;
  client?: AthenaClient;
  /** Attempts of one API call when throttled (default 6). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const RETRYABLE_API_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'InternalServerException',
  'ServiceUnavailableException',
]);

/** An ExecutionParameters value: Athena substitutes the text as a literal. */
export function athenaParameter(value: QueryParam): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function cell(value: string | undefined, type: string | undefined): unknown {
  if (value === undefined) return null;
  if (type && /^(tinyint|smallint|integer|bigint|double|real|decimal)/.test(type))
    return Number(value);
  return value;
}

export class AthenaEngine implements QueryEngine {
  readonly name = 'athena' as const;
  private readonly client: AthenaClient;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: AthenaEngineOptions) {
    this.client =
      options.client ??
      new AthenaClient({ maxAttempts: 1, requestHandler: { requestTimeout: 10_000 } });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Runs one API call, retrying throttling and Athena's transient errors with full jitter. */
  private async call<T>(send: () => Promise<T>, what: string): Promise<T> {
    const attempts = this.options.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        const retryable = RETRYABLE_API_ERRORS.has(name);
        if (!retryable || attempt >= attempts) {
          throw new QueryError(`Athena ${what}: ${name}: ${(error as Error).message}`, {
            retryable,
            cause: error,
          });
        }
        await this.sleep(this.random() * Math.min(10_000, 200 * 2 ** attempt));
      }
    }
  }

  async query(sql: string, params: readonly QueryParam[]): Promise<QueryResult> {
    const deadline = this.now() + (this.options.timeoutMs ?? 120_000);
    const token = randomUUID();
    const started = await this.call(
      () =>
        this.client.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            WorkGroup: this.options.workGroup,
            QueryExecutionContext: { Database: this.options.database },
            ClientRequestToken: token,
            ...(params.length > 0 ? { ExecutionParameters: params.map(athenaParameter) } : {}),
          }),
        ),
      'StartQueryExecution',
    );
    const id = started.QueryExecutionId;
    if (!id)
      throw new QueryError('Athena StartQueryExecution answered without an id', {
        retryable: true,
      });
    let execution: GetQueryExecutionCommandOutput['QueryExecution'];
    for (let poll = 0; ; poll += 1) {
      const answer = await this.call(
        () => this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
        'GetQueryExecution',
      );
      execution = answer.QueryExecution;
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const athenaError = execution?.Status?.AthenaError;
        throw new QueryError(
          `Athena query ${id} ${state}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`,
          { retryable: athenaError?.Retryable ?? athenaError?.ErrorCategory === 1 },
        );
      }
      if (this.now() >= deadline) {
        await this.call(
          () => this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
          'StopQueryExecution',
        ).catch(() => undefined);
        throw new QueryError(
          `Athena query ${id} still ${state ?? 'QUEUED'} at its deadline: stopped`,
          { retryable: true },
        );
      }
      await this.sleep(Math.min(2_000, 250 * 1.5 ** poll));
    }
    const scannedBytes = execution?.Statistics?.DataScannedInBytes;
    // An INSERT (the baseline summaries) has no rows to read back.
    if (/^\s*INSERT\b/i.test(sql)) {
      return { rows: [], ...(scannedBytes !== undefined ? { bytesScanned: scannedBytes } : {}) };
    }
    const rows: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    let columns: { name: string; type: string | undefined }[] | undefined;
    let first = true;
    do {
      const page = await this.call(
        () =>
          this.client.send(
            new GetQueryResultsCommand({
              QueryExecutionId: id,
              MaxResults: 1000,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        'GetQueryResults',
      );
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => ({
        name: column.Name ?? '',
        type: column.Type,
      }));
      const data = page.ResultSet?.Rows ?? [];
      // The first row of a SELECT's first page is the header.
      for (const row of first ? data.slice(1) : data) {
        const record: Record<string, unknown> = {};
        columns.forEach((column, index) => {
          record[column.name] = cell(row.Data?.[index]?.VarCharValue, column.type);
        });
        rows.push(record);
      }
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return { rows, ...(scannedBytes !== undefined ? { bytesScanned: scannedBytes } : {}) };
  }

  async close(): Promise<void> {
    // The SDK client keeps no resource that outlives the Lambda environment.
  }
}
