import type { Notebook } from './api-client.ts';

// The API's own patterns (functions/src/domain/notebook.ts), checked here so a mistake is explained beside the field
// before a 400.

/** A tag: a lowercase slug such as `q3-report`. */
export const TAG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A group: a path of lowercase slugs such as `ads/reports`. */
export const GROUP_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\/[a-z0-9]+(?:[-_][a-z0-9]+)*)*$/;

/** What to say when a group does not match GROUP_PATTERN. */
export const GROUP_PROBLEM = 'A group is a path of lowercase slugs, such as ads/reports.';

const VISIBILITY_CHOICES: ReadonlyArray<readonly [Notebook['visibility'], string]> = [
  ['private', 'Private (you and admins)'],
  ['team', 'Team'],
  ['org', 'Everyone in the organisation'],
];

/** The options of a Visibility select (upload and edit forms): the API's values, with what each means. */
export const VisibilityOptions = () => (
  <>
    {VISIBILITY_CHOICES.map(([value, text]) => (
      <option key={value} value={value}>
        {text}
      </option>
    ))}
  </>
);
