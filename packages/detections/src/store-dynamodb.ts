/**
 * The finding store in AWS: one DynamoDB item per (rule, group) holding the last state
 * as JSON, saved with a condition on its revision, so two overlapping runs (a
 * Scheduler retry, a slow Athena query) cannot both claim a finding; items expire
 * (TTL `expiresAt`) 30 days after the finding's last event.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { FindingState, FindingStore } from './store.js';

const KEEP_SECONDS = 30 * 86_400;
const WATERMARK_KEY = '#watermark';

export class DynamoDbFindingStore implements FindingStore {
  private readonly client: DynamoDBClient;
  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
  ) {
    this.client =
      client ??
      new DynamoDBClient({
        maxAttempts: 3,
        requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 },
      });
  }

  async latest(ruleId: string, groupKey: string): Promise<FindingState | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: `${ruleId}#${groupKey}` } },
        ConsistentRead: true,
      }),
    );
    const text = answer.Item?.state?.S;
    return text ? (JSON.parse(text) as FindingState) : undefined;
  }

  async save(state: FindingState, previousRevision: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: `${state.ruleId}#${state.groupKey}` },
            revision: { N: String(state.revision) },
            state: { S: JSON.stringify(state) },
            expiresAt: { N: String(Math.floor(state.lastSeen / 1000) + KEEP_SECONDS) },
          },
          ...(previousRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :previous',
                ExpressionAttributeValues: { ':previous': { N: String(previousRevision) } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  async watermark(): Promise<number | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: WATERMARK_KEY } },
        ConsistentRead: true,
      }),
    );
    const value = answer.Item?.at?.N;
    return value === undefined ? undefined : Number(value);
  }

  async setWatermark(ms: number): Promise<void> {
    // Only forward: a slow run finishing after a later one must not move it back.
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: WATERMARK_KEY }, at: { N: String(ms) } },
          ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': { N: String(ms) } },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
