/** How a failed workflow step reaches the step after its Catch (Step Functions' `Error` and `Cause`). */
export interface StepFailure {
  Error?: string;
  Cause?: string;
}

/** A caught failure's message: Lambda and local steps put a JSON error in Cause; show its message, not the envelope. */
export const causeText = (failure: StepFailure, fallback: string): string => {
  try {
    const parsed = JSON.parse(failure.Cause ?? '') as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message.
  }
  return failure.Cause || failure.Error || fallback;
};
