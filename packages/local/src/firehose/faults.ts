/**
 * The Firehose fake's injectable faults: what they are, and the check of faults given in
 * code or in a control request's JSON.
 */
export interface FirehoseFaults {
  /** Probability that one record of a PutRecordBatch fails (HTTP 200, ErrorCode). */
  partialFailureRate?: number;
  /** Probability that a request answers 503 ServiceUnavailableException. */
  unavailableRate?: number;
  /** Probability that a request answers 400 ThrottlingException. */
  throttleRate?: number;
  /** Probability that the records are stored but the answer never reaches the client. */
  dropResponseRate?: number;
  /** Latency added before a request is handled, ms. */
  latencyMs?: number;
  /** Extra random latency in [0, latencyJitterMs), ms. */
  latencyJitterMs?: number;
}

/** Faults that are not what {@link FirehoseFaults} describes: the message names the member. */
export class FirehoseFaultsError extends Error {
  constructor(message: string) {
    super(`local firehose faults: ${message}`);
    this.name = 'FirehoseFaultsError';
  }
}

const FAULT_RATES = [
  'partialFailureRate',
  'unavailableRate',
  'throttleRate',
  'dropResponseRate',
] as const;
const FAULT_LATENCIES = ['latencyMs', 'latencyJitterMs'] as const;
/** Longer than any caller's timeout: a latency above it is a mistake, not a test. */
const MAX_FAULT_LATENCY_MS = 60_000;

/**
 * Checks faults (from code or a control request's JSON) and fills in the zeros. Throws
 * a {@link FirehoseFaultsError} naming the first bad member: rates are numbers in
 * [0, 1], latencies numbers of ms in [0, 60000], and nothing else is accepted.
 */
export function normaliseFaults(faults: unknown = {}): Required<FirehoseFaults> {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    throw new FirehoseFaultsError(`expected a JSON object, got ${describeValue(faults)}`);
  }
  const given = faults as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (
      !(FAULT_RATES as readonly string[]).includes(key) &&
      !(FAULT_LATENCIES as readonly string[]).includes(key)
    ) {
      throw new FirehoseFaultsError(
        `unknown member '${key}' (known: ${[...FAULT_RATES, ...FAULT_LATENCIES].join(', ')})`,
      );
    }
  }
  const number = (key: string, max: number): number => {
    const value = given[key] === undefined ? 0 : given[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      throw new FirehoseFaultsError(
        `${key} must be a number from 0 to ${max}, got ${describeValue(value)}`,
      );
    }
    return value;
  };
  return {
    partialFailureRate: number('partialFailureRate', 1),
    unavailableRate: number('unavailableRate', 1),
    throttleRate: number('throttleRate', 1),
    dropResponseRate: number('dropResponseRate', 1),
    latencyMs: number('latencyMs', MAX_FAULT_LATENCY_MS),
    latencyJitterMs: number('latencyJitterMs', MAX_FAULT_LATENCY_MS),
  };
}

/** A value as an error message shows it: short, and never more than 40 characters of it. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'object') return 'an object';
  return String(value);
}
