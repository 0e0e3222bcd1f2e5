/**
 * Errors as Cognito's awsJson1_1 API returns them: `{ __type, message }` with the
 * exception name the SDK turns into `error.name`, and Cognito's HTTP status.
 */

/** Exception names the emulator answers with, and their HTTP status. */
export const COGNITO_EXCEPTIONS = {
  NotAuthorizedException: 400,
  UserNotFoundException: 400,
  UsernameExistsException: 400,
  AliasExistsException: 400,
  InvalidParameterException: 400,
  CodeMismatchException: 400,
  ExpiredCodeException: 400,
  InvalidPasswordException: 400,
  UserNotConfirmedException: 400,
  ResourceNotFoundException: 400,
  GroupExistsException: 400,
  UserLambdaValidationException: 400,
  InvalidLambdaResponseException: 400,
  UnexpectedLambdaException: 400,
  TooManyRequestsException: 400,
  LimitExceededException: 400,
  PreconditionNotMetException: 400,
  DuplicateProviderException: 400,
  UnsupportedOperationException: 400,
  UnsupportedTokenTypeException: 400,
  PasswordResetRequiredException: 400,
  CodeDeliveryFailureException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  UserImportInProgressException: 400,
  UserPoolAddOnNotEnabledException: 400,
  InternalErrorException: 500,
} as const;

export type CognitoExceptionName = keyof typeof COGNITO_EXCEPTIONS;

/** One failed operation, answered as Cognito answers it. */
export class CognitoError extends Error {
  readonly status: number;
  constructor(
    readonly type: CognitoExceptionName,
    message: string,
  ) {
    super(message);
    this.name = type;
    this.status = COGNITO_EXCEPTIONS[type];
  }
}

export const notAuthorized = (message = 'Incorrect username or password.') =>
  new CognitoError('NotAuthorizedException', message);
export const invalidParameter = (message: string) =>
  new CognitoError('InvalidParameterException', message);
export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
export const invalidSession = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user.');

/** An OAuth2 token endpoint error (RFC 6749 §5.2). */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope',
    readonly status: 400 | 401,
  ) {
    super(error);
    this.name = 'OAuthError';
  }
}
