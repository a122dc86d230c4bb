import type { Notice } from './notice.ts';

// How a notice is written for each kind of destination. Slack's limits (https://api.slack.com/reference/block-kit):
// at most 50 blocks a message, 3,000 characters in a section's text, 150 in a header, 10 fields a section of at
// most 2,000 characters each; `text` is the plain fallback notifications and old clients show.

/** Slack's text object, as blocks carry it. */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

/** The Block Kit blocks a notice uses. */
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText }
  | { type: 'section'; fields: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

/** A Slack incoming webhook's payload. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** What a generic JSON webhook receives: the notice as data, with its delivery id and time. */
export interface WebhookBody {
  id: string;
  kind: string;
  user: string;
  subject: string;
  text: string;
  fields: { label: string; value: string }[];
  detail: string | null;
  link: { label: string; url: string } | null;
  ref: string | null;
  createdAt: string;
}

/** Slack's limits, as the messages keep them. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionChars: 3000,
  headerChars: 150,
  fieldChars: 2000,
  fieldsPerSection: 10,
  fallbackChars: 4000,
} as const;

// A webhook's detail is bounded too, so a runaway traceback never makes a body of megabytes.
const WEBHOOK_DETAIL_CHARS = 16_000;

// ESC, written out so the pattern holds no control character.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/** A traceback's ANSI colours removed (IPython colours its tracebacks; a message shows them as noise). */
export const stripAnsi = (text: string): string => text.replace(ANSI, '');

// Slack reads &, < and > as markup (links, mentions): everything else is sent as it is.
const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A cut never leaves half of a surrogate pair or of an entity `&amp;` behind.
const safeCut = (text: string, at: number): number => {
  let cut = at;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && text.indexOf(';', amp) >= cut) cut = amp;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
};

/** Text cut to `max` characters with an ellipsis, never inside a surrogate pair. */
export const cutText = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, safeCut(text, max - 1))}…`;

/**
 * Text cut to `max` characters keeping its head and its tail (a traceback's last line says what was raised),
 * with a line that says how much was left out. `measure` counts what the text becomes (Slack escapes it).
 */
export const cutMiddle = (text: string, max: number, measure: (s: string) => number = (s) => s.length): string => {
  if (measure(text) <= max) return text;
  const keeping = (keep: number) => {
    const head = text.slice(0, safeCut(text, Math.ceil(keep / 2)));
    let from = text.length - Math.floor(keep / 2);
    const code = text.charCodeAt(from);
    if (code >= 0xdc00 && code <= 0xdfff) from += 1;
    const tail = text.slice(from);
    return `${head}\n… ${text.length - head.length - tail.length} characters cut …\n${tail}`;
  };
  // The most characters kept that still fit once measured (escaping makes some characters longer).
  let [low, high] = [0, Math.min(max, text.length)];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(keeping(mid)) <= max) low = mid;
    else high = mid - 1;
  }
  return keeping(low);
};

// Escaped text split into pieces of at most `max` characters, at a line break where one is near.
const splitEscaped = (escaped: string, max: number): string[] => {
  const pieces: string[] = [];
  let rest = escaped;
  while (rest.length > max) {
    const newline = rest.lastIndexOf('\n', max);
    const at = safeCut(rest, newline >= max / 2 ? newline : max);
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  return rest ? [...pieces, rest] : pieces;
};

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text });

// Three backticks inside the detail would close its code block early.
const codeBlock = (detail: string): string => {
  const fenced = (s: string) => `\`\`\`\n${s}\n\`\`\``;
  const body = stripAnsi(detail).replace(/```/g, '`\u200b`\u200b`');
  const escapedLength = (s: string) => fenced(escapeMrkdwn(s)).length;
  return fenced(escapeMrkdwn(cutMiddle(body, SLACK_LIMITS.sectionChars, escapedLength)));
};

const fieldSections = (fields: NonNullable<Notice['fields']>): SlackBlock[] => {
  const texts = fields.map((f) =>
    mrkdwn(cutText(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SLACK_LIMITS.fieldChars)),
  );
  const sections: SlackBlock[] = [];
  for (let i = 0; i < texts.length; i += SLACK_LIMITS.fieldsPerSection) {
    sections.push({ type: 'section', fields: texts.slice(i, i + SLACK_LIMITS.fieldsPerSection) });
  }
  return sections;
};

const contextBlock = (notice: Notice): SlackBlock => {
  const link = notice.link ? `<${notice.link.url}|${escapeMrkdwn(notice.link.label)}> · ` : '';
  const about = `for ${escapeMrkdwn(notice.user)}${notice.kind ? ` · ${notice.kind}` : ''}`;
  return { type: 'context', elements: [mrkdwn(cutText(`${link}${about}`, SLACK_LIMITS.sectionChars))] };
};

/** The plain fallback: subject, text, fields as lines and the link, cut to what notifications show. */
export const plainText = (notice: Notice): string => {
  const lines = [
    `${notice.subject} (for ${notice.user})`,
    notice.text,
    ...(notice.fields ?? []).map((f) => `${f.label}: ${f.value}`),
    ...(notice.link ? [`${notice.link.label}: ${notice.link.url}`] : []),
  ];
  return cutText(lines.filter((l) => l !== '').join('\n'), SLACK_LIMITS.fallbackChars);
};

/**
 * A notice as a Slack message: a header (the subject), the text in sections, the fields, the detail as a code
 * block (its head and tail when longer than a section holds), and a context line with the link; at most 50
 * blocks (the context line is kept; sections past the limit give way to a note of how many were left out).
 */
export const slackMessage = (notice: Notice): SlackMessage => {
  const body: SlackBlock[] = [
    ...splitEscaped(escapeMrkdwn(notice.text), SLACK_LIMITS.sectionChars).map(
      (t): SlackBlock => ({ type: 'section', text: mrkdwn(t) }),
    ),
    ...fieldSections(notice.fields ?? []),
    ...(notice.detail ? [{ type: 'section', text: mrkdwn(codeBlock(notice.detail)) } as SlackBlock] : []),
  ];
  const header: SlackBlock = {
    type: 'header',
    text: { type: 'plain_text', text: cutText(notice.subject || notice.kind || 'Orrery', SLACK_LIMITS.headerChars) },
  };
  const room = SLACK_LIMITS.blocks - 2;
  const kept =
    body.length <= room
      ? body
      : [
          ...body.slice(0, room - 1),
          { type: 'context', elements: [mrkdwn(`… ${body.length - room + 1} more sections left out`)] } as SlackBlock,
        ];
  // Slack reads the fallback as mrkdwn too: escaped, a `<!channel>` in a title or an error pings nobody.
  return { text: escapeMrkdwn(plainText(notice)), blocks: [header, ...kept, contextBlock(notice)] };
};

/** A notice as a generic webhook's JSON body, its detail bounded. */
export const webhookBody = (notice: Notice, delivery: { id: string; createdAt: string }): WebhookBody => ({
  id: delivery.id,
  kind: notice.kind ?? 'other',
  user: notice.user,
  subject: notice.subject,
  text: notice.text,
  fields: notice.fields ?? [],
  detail: notice.detail ? cutMiddle(stripAnsi(notice.detail), WEBHOOK_DETAIL_CHARS) : null,
  link: notice.link ?? null,
  ref: notice.ref ?? null,
  createdAt: delivery.createdAt,
});
