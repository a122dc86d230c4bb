import { ValidationError } from '../../src/domain/errors.ts';

/** The ValidationError that `act` throws. */
export const rejection = (act: () => unknown): ValidationError => {
  try {
    act();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
};
