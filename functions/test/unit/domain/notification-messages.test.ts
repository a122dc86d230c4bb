import { describe, expect, it } from 'vitest';
import {
  cutMiddle,
  SLACK_LIMITS,
  type SlackBlock,
  slackMessage,
  webhookBody,
} from '../../../src/domain/notification-messages.ts';
import type { Notice } from '../../../src/ports/notifier.ts';

const notice = (over: Partial<Notice> = {}): Notice => ({
  user: 'alice',
  kind: 'run-failed',
  subject: "Scheduled run of 'Sales model' failed",
  text: "'nightly-sales' ran 'Sales model' and it failed: cell 4 raised KeyError.",
  fields: [
    { label: 'Notebook', value: 'Sales model (version 3)' },
    { label: 'Error', value: "KeyError: 'region'" },
  ],
  detail: 'KeyError: \'region\'\nTraceback (most recent call last)\n  File "<cell>", line 2',
  link: { label: 'Open the run', url: 'https://orrery.example.com/runs/run-1' },
  ref: 'run-1',
  ...over,
});

const textsOf = (blocks: SlackBlock[]): string[] =>
  blocks.flatMap((b) =>
    b.type === 'header' || (b.type === 'section' && 'text' in b)
      ? [b.text.text]
      : b.type === 'section'
        ? b.fields.map((f) => f.text)
        : b.elements.map((e) => e.text),
  );

describe('slackMessage', () => {
  it('writes a header, the text, the fields, the detail as a code block and a context line with the link', () => {
    // Act
    const message = slackMessage(notice());

    // Assess
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: "Scheduled run of 'Sales model' failed" },
    });
    expect(message.blocks[2]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Notebook*\nSales model (version 3)' },
        { type: 'mrkdwn', text: "*Error*\nKeyError: 'region'" },
      ],
    });
    const detail = textsOf([message.blocks[3]!])[0]!;
    expect(detail.startsWith('```\nKeyError')).toBe(true);
    expect(detail.endsWith('line 2\n```')).toBe(true);
    expect(textsOf([message.blocks[4]!])[0]).toBe(
      '<https://orrery.example.com/runs/run-1|Open the run> · for alice · run-failed',
    );
  });

  it('gives a plain text fallback with the subject, the text, the fields and the link', () => {
    // Act
    const message = slackMessage(notice());

    // Assess
    expect(message.text).toBe(
      [
        "Scheduled run of 'Sales model' failed (for alice)",
        "'nightly-sales' ran 'Sales model' and it failed: cell 4 raised KeyError.",
        'Notebook: Sales model (version 3)',
        "Error: KeyError: 'region'",
        'Open the run: https://orrery.example.com/runs/run-1',
      ].join('\n'),
    );
  });

  it('cuts a long detail to one section of at most 3,000 characters, keeping its head and its last line', () => {
    // Prepare
    const traceback = Array.from({ length: 400 }, (_, i) => `  frame ${i} <module> & more`).join('\n');
    const detail = `ValueError: bad input\n${traceback}\nValueError: the last line says what was raised`;

    // Act
    const message = slackMessage(notice({ detail }));

    // Assess
    const code = message.blocks.find((b) => b.type === 'section' && 'text' in b && b.text.text.startsWith('```'));
    const text = textsOf([code!])[0]!;
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    expect(text.length).toBeGreaterThan(SLACK_LIMITS.sectionChars - 100);
    expect(text).toContain('ValueError: bad input');
    expect(text).toContain('ValueError: the last line says what was raised\n```');
    expect(text).toMatch(/… \d+ characters cut …/);
    expect(text).toContain('&amp; more');
  });

  it('splits a long text over sections of at most 3,000 characters each, losing none of it', () => {
    // Prepare
    const lines = Array.from({ length: 300 }, (_, i) => `✓ 06:${String(i % 60).padStart(2, '0')} run ${i} <ok>`);

    // Act
    const message = slackMessage(notice({ text: lines.join('\n'), detail: undefined, fields: [] }));

    // Assess
    const sections = message.blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(1);
    for (const text of textsOf(sections)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    expect(textsOf(sections).join('\n')).toBe(lines.join('\n').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('keeps to 50 blocks, the context line last, saying how many sections were left out', () => {
    // Prepare
    const fields = Array.from({ length: 600 }, (_, i) => ({ label: `field ${i}`, value: String(i) }));

    // Act
    const message = slackMessage(notice({ fields }));

    // Assess
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(message.blocks.at(-1)!.type).toBe('context');
    expect(textsOf([message.blocks.at(-2)!])[0]).toMatch(/^… \d+ more sections left out$/);
    for (const b of message.blocks) {
      if (b.type === 'section' && 'fields' in b) expect(b.fields.length).toBeLessThanOrEqual(10);
    }
  });

  it("escapes Slack's markup characters and strips a traceback's ANSI colours", () => {
    // Prepare
    const esc = String.fromCharCode(27);

    // Act
    const message = slackMessage(
      notice({ text: 'a <b> & c', detail: `${esc}[0;31mKeyError${esc}[0m: 'x' \`\`\` done` }),
    );

    // Assess
    const texts = textsOf(message.blocks);
    expect(texts).toContain('a &lt;b&gt; &amp; c');
    expect(texts.find((t) => t.startsWith('```'))).toBe("```\nKeyError: 'x' `\u200b`\u200b` done\n```");
  });

  it('cuts a header longer than Slack takes', () => {
    // Act
    const message = slackMessage(notice({ subject: 'x'.repeat(400) }));

    // Assess
    expect(textsOf([message.blocks[0]!])[0]).toHaveLength(SLACK_LIMITS.headerChars);
  });
});

describe('cutMiddle', () => {
  it('leaves text that fits as it is and cuts longer text to exactly what fits', () => {
    // Act
    const short = cutMiddle('short', 10);
    const long = cutMiddle('a'.repeat(500) + 'b'.repeat(500), 100);

    // Assess
    expect(short).toBe('short');
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.startsWith('aaa')).toBe(true);
    expect(long.endsWith('bbb')).toBe(true);
  });
});

describe('webhookBody', () => {
  it('sends the notice as data with the delivery id and time, and empty parts as null', () => {
    // Act
    const body = webhookBody(notice({ detail: undefined, link: undefined, ref: undefined }), {
      id: 'ntf-1',
      createdAt: '2026-01-05T09:00:00.000Z',
    });

    // Assess
    expect(body).toEqual({
      id: 'ntf-1',
      kind: 'run-failed',
      user: 'alice',
      subject: "Scheduled run of 'Sales model' failed",
      text: "'nightly-sales' ran 'Sales model' and it failed: cell 4 raised KeyError.",
      fields: notice().fields,
      detail: null,
      link: null,
      ref: null,
      createdAt: '2026-01-05T09:00:00.000Z',
    });
  });
});
