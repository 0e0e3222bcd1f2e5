/**
 * The one wrapper every Authwatch Lambda goes through: it injects the Lambda context
 * into the logger, traces the handler, validates the event against a zod schema,
 * runs the pure logic, and converts errors so that only a {@link UserFacingError}'s
 * wording ever reaches a user.
 *
 * The logger and tracer steps are those of Powertools' middy middlewares
 * (`injectLambdaContext(logger, { resetKeys: true })`, `captureLambdaHandler(tracer,
 * { captureResponse: false })`), written out in `observed` below: a middleware engine
 * for two fixed steps cost every cold start its module and every invocation its
 * request object and early-timeout timer.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/v4/core';
// English issue messages whichever zod build made the schema.
import './zod-locale.js';
import { AFTER_RESPONSE_SETTLED, type AfterResponse, afterResponse } from './after-response.js';
import {
  type EventIssue,
  GENERIC_USER_MESSAGE,
  InvalidEventError,
  UserFacingError,
} from './errors.js';
import { logger, metrics, tracer } from './observability.js';

/** Cognito waits this long for a trigger before it gives up (and may retry). */
export const COGNITO_TRIGGER_TIMEOUT_MS = 5_000;

/** Time kept back from the deadline for returning the response and flushing logs. */
export const DEADLINE_MARGIN_MS = 250;

/** What the logic receives besides the event. */
export interface InvocationContext {
  /** The Lambda context as the runtime gave it. */
  lambdaContext: Context;
  /**
   * Epoch milliseconds by which the logic must have finished: the earlier of the
   * Lambda's own timeout and Cognito's 5-second limit, less a margin. Side effects
   * (audit, mail) pass it on so they never make a sign-in miss the limit.
   */
  deadline: number;
  /** The clock, injectable so logic stays a pure function of its inputs. */
  now(): number;
  /**
   * Hands over work to run once the response is on its way (an audit send, which never
   * throws and is bounded by `deadline`). Depending on AFTER_RESPONSE it runs and is
   * awaited before the response (`inline`), or starts on the next turn of the event
   * loop, held open by the Lambda extension or by the host (see after-response.ts).
   */
  afterResponse(work: () => Promise<unknown>): void;
}

/** A Lambda handler as the runtime calls it. */
export type LambdaHandler<R = unknown> = ((event: unknown, context: Context) => Promise<R>) & {
  /** Resolves once the after-response work of every invocation so far has settled. */
  readonly [AFTER_RESPONSE_SETTLED]: () => Promise<void>;
};

/**
 * Any zod schema: the classic build's (`import * as z from 'zod'`) or the mini build's
 * (the kit's event schemas), both built on zod's core.
 */
export type EventSchema = z.$ZodType;

interface HandlerDefinition<S extends EventSchema, R> {
  /** The trigger's name as Cognito prints it, e.g. `PreSignUp`, used in logs. */
  name: string;
  /** The event's schema; a mismatch is an {@link InvalidEventError}. */
  schema: S;
  /** The pure logic: event in, response out. */
  handle(event: z.output<S>, context: InvocationContext): Promise<R> | R;
  /** The clock; `Date.now` unless a test gives another. */
  now?: () => number;
  /** Cognito's trigger limit applies (true for Cognito triggers, false for an API). */
  cognitoLimit?: boolean;
  /** The after-response tracker; the kit's own unless a test gives another. */
  afterResponse?: AfterResponse;
}

/** Turns zod issues into paths and messages, never the offending values. */
export function toEventIssues(error: z.$ZodError): EventIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * Validates `event` against `schema`, throwing an {@link InvalidEventError} that
 * names the failing paths. Never throws anything else, whatever `event` is.
 */
export function parseEvent<S extends EventSchema>(
  name: string,
  schema: S,
  event: unknown,
): z.output<S> {
  const result = z.safeParse(schema, event);
  if (!result.success) throw new InvalidEventError(name, toEventIssues(result.error));
  return result.data;
}

/** Computes the invocation deadline from the Lambda context. */
export function deadlineFor(context: Context, now: number, cognitoLimit = true): number {
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function'
      ? context.getRemainingTimeInMillis()
      : COGNITO_TRIGGER_TIMEOUT_MS;
  const budget = cognitoLimit ? Math.min(remaining, COGNITO_TRIGGER_TIMEOUT_MS) : remaining;
  return now + Math.max(0, budget - DEADLINE_MARGIN_MS);
}

function userError(name: string, error: unknown): Error {
  if (error instanceof UserFacingError) {
    logger.warn(`${name} refused the request`, { reason: error.message });
    return error;
  }
  if (error instanceof InvalidEventError) {
    // `kind`, not `code`: the log replacer redacts any key named `code` (OTPs travel
    // under that name), which would hide the validator's issue code.
    logger.error(`${name} received a malformed event`, {
      issues: error.issues.map(({ path, code, message }) => ({ path, kind: code, message })),
    });
  } else {
    logger.error(`${name} failed`, error as Error);
  }
  return new Error(GENERIC_USER_MESSAGE);
}

function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** The X-Ray segment the tracer gives a handler invocation (Powertools' middleware's view). */
type TraceSegment = NonNullable<ReturnType<typeof tracer.getSegment>>;

/**
 * Runs one invocation inside the Powertools steps: before, the logger gets the Lambda
 * context (and the sample rate is drawn again) and the tracer opens a `## <handler>`
 * subsegment annotated with the cold start and the service; after, or on error, the
 * tracer records the error and closes the subsegment, and the logger drops its buffer
 * and the keys appended during the invocation. The same steps, in the same order, as
 * `middy(core).use(injectLambdaContext(logger, { resetKeys: true }))
 * .use(captureLambdaHandler(tracer, { captureResponse: false }))`.
 */
async function observed<O>(
  event: unknown,
  context: Context,
  core: (event: unknown, context: Context) => Promise<O>,
): Promise<O> {
  logger.refreshSampleRateCalculation();
  logger.addContext(context);
  logger.logEventIfEnabled(event);
  let lambdaSegment: TraceSegment | undefined;
  let handlerSegment: TraceSegment | undefined;
  const tracing = tracer.isTracingEnabled();
  if (tracing) {
    lambdaSegment = tracer.getSegment();
    if (lambdaSegment) {
      handlerSegment = lambdaSegment.addNewSubsegment(`## ${process.env._HANDLER}`);
      tracer.setSegment(handlerSegment);
    }
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
  }
  const closeSegment = (): void => {
    if (!lambdaSegment || !handlerSegment) return;
    try {
      handlerSegment.close();
    } catch (error) {
      console.warn(
        'Failed to close or serialize segment %s. We are catching the error but data might be lost.',
        handlerSegment.name,
        error,
      );
    }
    tracer.setSegment(lambdaSegment);
  };
  try {
    const response = await core(event, context);
    if (tracing) closeSegment();
    return response;
  } catch (error) {
    if (tracing) {
      tracer.addErrorAsMetadata(error as Error);
      closeSegment();
    }
    throw error;
  } finally {
    logger.clearBuffer();
    logger.resetKeys();
  }
}

function wrap<S extends EventSchema, R, O>(
  definition: HandlerDefinition<S, R>,
  shape: (raw: unknown, result: R) => O,
): LambdaHandler<O> {
  const now = definition.now ?? Date.now;
  const tracker = definition.afterResponse ?? afterResponse;
  const core = async (raw: unknown, lambdaContext: Context): Promise<O> => {
    const started = now();
    const later: (() => Promise<unknown>)[] = [];
    try {
      const event = parseEvent(definition.name, definition.schema, raw);
      const result = await definition.handle(event, {
        lambdaContext,
        deadline: deadlineFor(lambdaContext, started, definition.cognitoLimit ?? true),
        now,
        afterResponse: (work) => {
          later.push(work);
        },
      });
      return shape(raw, result);
    } catch (error) {
      throw userError(definition.name, error);
    } finally {
      publishMetrics();
      // Every invocation hands over, even with no work: the extension waits for each one.
      const run = () =>
        Promise.allSettled(later.map((work) => Promise.resolve().then(work))).then(() =>
          publishMetrics(),
        );
      let settled = Promise.resolve();
      if (later.length > 0) {
        // Deferred work starts after the response has been handed back, not in between.
        settled =
          tracker.mode === 'inline'
            ? run()
            : new Promise<void>((resolve) => setImmediate(resolve)).then(run);
      }
      const inline = tracker.defer(lambdaContext.awsRequestId, settled);
      if (inline) await inline;
    }
  };
  // A missing context is an empty one, as middy made it (a host or test may pass none).
  const lambda = (event: unknown, context: Context) =>
    observed(event, context ?? ({} as Context), core);
  return Object.assign(lambda, { [AFTER_RESPONSE_SETTLED]: () => tracker.settled() });
}

/**
 * Defines a Cognito trigger: the logic returns the trigger's `response` object and the
 * wrapper returns the original event with that response, as Cognito expects.
 *
 * @example
 * ```ts
 * export const handler = defineTrigger({
 *   name: 'PostAuthentication',
 *   schema: PostAuthenticationEventSchema,
 *   handle: (event, ctx) => postAuth(event, config, ctx),
 * });
 * ```
 */
export function defineTrigger<S extends EventSchema, R extends object>(
  definition: HandlerDefinition<S, R>,
): LambdaHandler<Record<string, unknown>> {
  return wrap(definition, (raw, response) => ({ ...(raw as Record<string, unknown>), response }));
}

/**
 * Defines a Lambda whose logic's return value is the Lambda's answer (an API
 * Gateway handler, for instance). Cognito's 5-second limit does not apply.
 */
export function defineHandler<S extends EventSchema, R>(
  definition: HandlerDefinition<S, R>,
): LambdaHandler<R> {
  return wrap({ cognitoLimit: false, ...definition }, (_raw, result) => result);
}
