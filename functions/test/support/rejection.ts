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

/** Whatever `act` throws, of any type; a test that expected a throw fails when nothing is thrown. */
export const thrown = (act: () => unknown): unknown => {
  try {
    act();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, nothing was thrown');
};

/** The message of what `act` throws. */
export const thrownMessage = (act: () => unknown): string => (thrown(act) as Error).message;
