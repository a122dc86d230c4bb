import { useRef, useState } from 'react';
import type { ApiError } from './api-client.ts';

/** Problems by field name, each shown under its field. */
export type FieldErrors = Record<string, string>;

/** What a form's error placement makes of an API 400: problems by field, and the rest for above the form. */
export interface PlacedErrors {
  fields: FieldErrors;
  general: string[];
}

/**
 * A form's problems: those under its fields, those above it, focus on the first field in `order` that has one, and
 * an API refusal shown where it belongs (a 400's problems under the fields they name; anything else above the form).
 * Attach `form` to the <form>; its fields carry `data-field="<name>"`.
 */
export const useFieldErrors = (order: readonly string[]) => {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);

  const focusFirstError = (found: FieldErrors) => {
    const first = order.find((name) => found[name]);
    if (first)
      requestAnimationFrame(() =>
        form.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(first)}"]`)?.focus(),
      );
  };

  const showRefusal = (error: ApiError, place: (error: ApiError) => PlacedErrors) => {
    if (error.status !== 400) return setGeneral([error.message]);
    const placed = place(error);
    setErrors(placed.fields);
    setGeneral(placed.general.length ? placed.general : Object.keys(placed.fields).length ? [] : [error.message]);
    focusFirstError(placed.fields);
  };

  return { form, errors, setErrors, general, setGeneral, focusFirstError, showRefusal };
};
