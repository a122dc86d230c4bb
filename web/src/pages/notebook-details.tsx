import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Notebook, PatchNotebookBody } from '../api-client.ts';
import { FieldError, FormError } from '../components/form-error.tsx';
import { GROUP_PATTERN, GROUP_PROBLEM, TAG_PATTERN, VisibilityOptions } from '../notebook-fields.tsx';
import { useApi } from '../session-context.tsx';
import './folium.css';

interface Draft {
  title: string;
  description: string;
  tags: string;
  group: string;
  visibility: Notebook['visibility'];
}
type DraftErrors = Partial<Record<keyof Draft | 'form', string>>;

const draftOf = (nb: Notebook): Draft => ({
  title: nb.title,
  description: nb.description,
  tags: nb.tags.join(', '),
  group: nb.group ?? '',
  visibility: nb.visibility,
});
const tagsOf = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

/** The fields that changed, as a PATCH body, or the errors that stop it. */
export const patchFrom = (nb: Notebook, d: Draft): { patch: PatchNotebookBody; errors: DraftErrors } => {
  const errors: DraftErrors = {};
  const tags = tagsOf(d.tags);
  const badTags = tags.filter((t) => !TAG_PATTERN.test(t));
  if (!d.title.trim()) errors.title = 'A notebook needs a title.';
  if (badTags.length)
    errors.tags = `Tags are lowercase slugs (letters, digits, single dashes); not: ${badTags.join(', ')}.`;
  if (tags.length > 50) errors.tags = 'At most 50 tags.';
  if (d.group.trim() && !GROUP_PATTERN.test(d.group.trim())) errors.group = GROUP_PROBLEM;
  const patch: PatchNotebookBody = {};
  if (d.title.trim() !== nb.title) patch.title = d.title.trim();
  if (d.description !== nb.description) patch.description = d.description;
  if (tags.join(',') !== nb.tags.join(',')) patch.tags = tags;
  if ((d.group.trim() || null) !== nb.group) patch.group = d.group.trim() || null;
  if (d.visibility !== nb.visibility) patch.visibility = d.visibility;
  return { patch, errors };
};

/** The "Edit details" button and, when open, the form that PATCHes title, description, tags, group and visibility. */
export const EditDetails = ({ notebook, onSaved }: { notebook: Notebook; onSaved: (nb: Notebook) => void }) => {
  const api = useApi();
  const id = useId();
  const opener = useRef<HTMLButtonElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(notebook));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saving, setSaving] = useState(false);
  // The button that had focus is replaced by the form: focus goes to its first field, not to the page's top.
  useEffect(() => {
    if (open) form.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setErrors({});
    // Back to the button that opened the form, so keyboard users are not dropped at the top.
    requestAnimationFrame(() => opener.current?.focus());
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { patch, errors: found } = patchFrom(notebook, draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    if (Object.keys(patch).length === 0) return close();
    setSaving(true);
    try {
      onSaved(await api.patchNotebook(notebook.id, patch));
      close();
    } catch (err) {
      setErrors({ form: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };

  if (!open) {
    return (
      <button
        ref={opener}
        type="button"
        className="secondary"
        aria-expanded="false"
        onClick={() => {
          setDraft(draftOf(notebook));
          setOpen(true);
        }}
      >
        Edit details
      </button>
    );
  }
  const field = (
    name: keyof Draft,
    label: string,
    input: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode,
    hint?: string,
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input({
        id: `${id}-${name}`,
        'aria-invalid': errors[name] ? true : undefined,
        'aria-describedby':
          [hint ? `${id}-${name}-hint` : '', errors[name] ? `${id}-${name}-error` : ''].join(' ').trim() || undefined,
      })}
      {hint ? (
        <p id={`${id}-${name}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {errors[name] ? (
        <FieldError id={`${id}-${name}-error`} announce>
          {errors[name]}
        </FieldError>
      ) : null}
    </div>
  );
  const set = (name: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: e.target.value });
  return (
    <form
      ref={form}
      className="card edit-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-heading`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !saving) close();
      }}
    >
      <h2 id={`${id}-heading`}>Edit details</h2>
      {field('title', 'Title', (p) => (
        <input {...p} value={draft.title} maxLength={200} onChange={set('title')} />
      ))}
      {field('description', 'Description', (p) => (
        <textarea {...p} value={draft.description} maxLength={4000} rows={4} onChange={set('description')} />
      ))}
      {field(
        'tags',
        'Tags',
        (p) => (
          <input {...p} value={draft.tags} onChange={set('tags')} />
        ),
        'Comma separated, such as q3, sales-report.',
      )}
      <div className="field-row">
        {field(
          'group',
          'Group',
          (p) => (
            <input {...p} value={draft.group} onChange={set('group')} />
          ),
          'A path such as ads/reports; empty for none.',
        )}
        {field('visibility', 'Visibility', (p) => (
          <select {...p} value={draft.visibility} onChange={set('visibility')}>
            <VisibilityOptions />
          </select>
        ))}
      </div>
      <FormError messages={errors.form ? [errors.form] : []} />
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={close} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
};
