import type { ReactNode } from 'react';

/**
 * The error beside one field, tied to it by `id` (the field's aria-describedby) and by its aria-invalid.
 * `announce` adds role "alert" for an error that appears while the person is elsewhere (a file read late);
 * forms that announce a summary of all their errors leave it off, so one submit is not read out twice.
 */
export const FieldError = ({
  id,
  announce = false,
  children,
}: {
  id: string;
  announce?: boolean;
  children: ReactNode;
}) => (
  <p id={id} className="alert-inline" role={announce ? 'alert' : undefined}>
    {children}
  </p>
);

/** A form's own error, below its fields or above them as a summary: role "alert", one paragraph per message. */
export const FormError = ({ messages }: { messages: ReactNode[] }) =>
  messages.length === 0 ? null : (
    <div className="state state-inline state-error" role="alert">
      {messages.map((m, i) => (
        <p key={i}>{m}</p>
      ))}
    </div>
  );
