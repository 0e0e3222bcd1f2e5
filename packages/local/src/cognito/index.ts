/**
 * A Cognito user-pool emulator for the local stack: the awsJson1_1 API the AWS SDK
 * speaks, SRP exactly as Cognito, the Lambda triggers in Cognito's order, RS256 tokens
 * with a JWKS, and the OAuth2 client-credentials endpoint. See README.md.
 *
 * @example
 * ```ts
 * const cognito = createCognitoEmulator({ region: 'eu-west-1', baseUrl: 'http://127.0.0.1:9229' });
 * const { id } = cognito.createUserPool({ name: 'authwatch', usernameAttributes: ['email'] });
 * http.createServer(cognito.listener).listen(9229, '127.0.0.1');
 * ```
 */
import { CognitoEmulator, type CognitoEmulatorOptions } from './emulator.js';

export {
  type CallContext,
  CognitoEmulator,
  type CognitoEmulatorOptions,
  type GroupSpec,
  MAX_CHALLENGE_ROUNDS,
  type Mailer,
  type UserPoolClientSpec,
  type UserPoolSpec,
} from './emulator.js';
export {
  COGNITO_EXCEPTIONS,
  CognitoError,
  type CognitoExceptionName,
  OAuthError,
} from './errors.js';
export { parseUserFilter, type UserFilter } from './filter.js';
export { loopbackJwksFetcher } from './jwks-fetcher.js';
export { formatTimestamp } from './srp.js';
export type { TriggerName, TriggerVersion } from './state.js';
export { TriggerInvocationError, type TriggerInvoker } from './triggers.js';

/** Creates an emulator, loading `stateFile` when it exists (a missing file starts empty). */
export function createCognitoEmulator(options: CognitoEmulatorOptions): CognitoEmulator {
  return new CognitoEmulator(options);
}
