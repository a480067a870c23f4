import { BffError } from '@app/core';

/** The requested API version does not exist: 404 for a URI version, 406 for a media type. */
export class UnsupportedVersionError extends BffError {
  readonly code: string;
  constructor(
    readonly status: 404 | 406,
    message: string,
  ) {
    super(message);
    this.code = status === 404 ? 'NOT_FOUND' : 'UNSUPPORTED_VERSION';
  }
}

/** The app is older than the minimum version served (mobile `X-App-Version`). */
export class UpgradeRequiredError extends BffError {
  readonly status = 426;
  readonly code = 'UPGRADE_REQUIRED';
}

/** Bad client-shaping input: unknown `fields`, malformed or foreign `cursor`, bad app version. */
export class ShapingInputError extends BffError {
  readonly status = 400;
  readonly code: string;
  constructor(
    code: 'INVALID_FIELDS' | 'INVALID_CURSOR' | 'INVALID_APP_VERSION' | 'VERSION_CONFLICT',
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}
