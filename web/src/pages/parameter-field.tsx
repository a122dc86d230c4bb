import { useId } from 'react';
import { FieldError } from '../components/form-error.tsx';
import type { FieldSpec } from '../parameter-form.ts';
import './run.css';

/**
 * One parameter of the run form, labelled exactly with the parameter's name; the notebook's help and
 * how to write the type are tied to it by aria-describedby, and so is the error beside it.
 */
export const ParameterField = ({
  field,
  value,
  error,
  onChange,
}: {
  field: FieldSpec;
  value: string | boolean;
  error?: string;
  onChange: (value: string | boolean) => void;
}) => {
  const id = useId();
  const described = [field.help ? `${id}-help` : '', `${id}-hint`, error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    'data-field': field.name,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
  } as const;
  const label = (
    <label htmlFor={id}>
      <code>{field.name}</code>
    </label>
  );
  return (
    <div className={`field parameter-field${field.input === 'checkbox' ? ' field-checkbox' : ''}`}>
      {field.input === 'checkbox' ? (
        <div className="checkbox-row">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {label}
        </div>
      ) : (
        <>
          {label}
          {field.input === 'textarea' ? (
            <textarea
              {...common}
              value={String(value)}
              rows={Math.min(10, Math.max(3, String(value).split('\n').length + 1))}
              spellCheck={false}
              onChange={(e) => onChange(e.target.value)}
            />
          ) : (
            <input
              {...common}
              type={field.input === 'number' ? 'number' : 'text'}
              step={field.step}
              inputMode={field.input === 'number' ? (field.step === '1' ? 'numeric' : 'decimal') : undefined}
              spellCheck={field.type === 'str' ? undefined : false}
              value={String(value)}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
        </>
      )}
      <p className="hint">
        <span className="parameter-type">{field.type}</span>
        {field.help ? <span id={`${id}-help`}> {field.help.replace(/[.\s]+$/, '')}.</span> : null}{' '}
        <span id={`${id}-hint`}>{field.hint}</span>
      </p>
      {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
    </div>
  );
};
