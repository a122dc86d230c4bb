import { AnsiUp } from 'ansi_up';

type Rgb = readonly [number, number, number];

// The sixteen ansi_up class names with the colours ansi_up gives them, for rounding 256-colour
// and truecolour codes to a class: the page allows no style attributes.
const PALETTE: ReadonlyArray<readonly [string, Rgb]> = [
  ['ansi-black', [0, 0, 0]],
  ['ansi-red', [187, 0, 0]],
  ['ansi-green', [0, 187, 0]],
  ['ansi-yellow', [187, 187, 0]],
  ['ansi-blue', [0, 0, 187]],
  ['ansi-magenta', [187, 0, 187]],
  ['ansi-cyan', [0, 187, 187]],
  ['ansi-white', [255, 255, 255]],
  ['ansi-bright-black', [85, 85, 85]],
  ['ansi-bright-red', [255, 85, 85]],
  ['ansi-bright-green', [0, 255, 0]],
  ['ansi-bright-yellow', [255, 255, 85]],
  ['ansi-bright-blue', [85, 85, 255]],
  ['ansi-bright-magenta', [255, 85, 255]],
  ['ansi-bright-cyan', [85, 255, 255]],
  ['ansi-bright-white', [255, 255, 255]],
];

const STYLE_CLASSES: Readonly<Record<string, string>> = {
  'font-weight:bold': 'ansi-bold',
  'opacity:0.7': 'ansi-faint',
  'font-style:italic': 'ansi-italic',
  'text-decoration:underline': 'ansi-underline',
};

// OSC 8 hyperlinks: ansi_up would either drop their text or emit a live link; we keep the text only.
const OSC8 = /\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\)/g;
const ANSI_SPAN = /<span(?: style="([^"]*)")?(?: class="([^"]*)")?>/g;

const nearestColour = (rgb: Rgb): string => {
  const distance = ([, c]: readonly [string, Rgb]) =>
    (c[0] - rgb[0]) ** 2 + (c[1] - rgb[1]) ** 2 + (c[2] - rgb[2]) ** 2;
  return PALETTE.reduce((best, entry) => (distance(entry) < distance(best) ? entry : best))[0];
};

const classOfStyle = (declaration: string): string | undefined => {
  const colour = /^(color|background-color):rgb\((\d+),(\d+),(\d+)\)$/.exec(declaration);
  if (!colour) return STYLE_CLASSES[declaration];
  const name = nearestColour([Number(colour[2]), Number(colour[3]), Number(colour[4])]);
  return `${name}-${colour[1] === 'color' ? 'fg' : 'bg'}`;
};

// ansi_up escapes all text, so every <span in its output is its own and has this one shape. Coloured output
// repeats a handful of span shapes thousands of times, so each shape is converted once per text.
const stylesToClasses = (html: string): string => {
  const converted = new Map<string, string>();
  return html.replace(ANSI_SPAN, (span, style: string | undefined, classes: string | undefined) => {
    const known = converted.get(span);
    if (known !== undefined) return known;
    const fromStyle = (style ?? '').split(';').filter(Boolean).map(classOfStyle);
    const all = [...(classes ?? '').split(' '), ...fromStyle].filter((name): name is string => Boolean(name));
    const result = `<span class="${all.join(' ')}">`;
    converted.set(span, result);
    return result;
  });
};

/** Converts terminal text with ANSI escape codes to escaped HTML whose colours are classes from ANSI_CSS. */
export const ansiToHtml = (text: string): string => {
  // A fresh converter per text: ansi_up keeps colour state, which must not leak between outputs.
  const converter = new AnsiUp();
  converter.use_classes = true;
  converter.escape_html = true;
  converter.url_allowlist = {};
  return stylesToClasses(converter.ansi_to_html(text.replace(OSC8, '')));
};

const FOREGROUNDS: Readonly<Record<string, string>> = {
  black: '#3e424d',
  red: '#e75c58',
  green: '#00a250',
  yellow: '#ddb62b',
  blue: '#208ffb',
  magenta: '#d160c4',
  cyan: '#60c6c8',
  white: '#c5c1b4',
  'bright-black': '#282c36',
  'bright-red': '#b22b31',
  'bright-green': '#007427',
  'bright-yellow': '#b27d12',
  'bright-blue': '#0065ca',
  'bright-magenta': '#a03196',
  'bright-cyan': '#258f8f',
  'bright-white': '#a1a6b2',
};

/** The stylesheet for the classes ansiToHtml emits (the colours nbconvert uses). */
export const ANSI_CSS = [
  ...Object.entries(FOREGROUNDS).flatMap(([name, colour]) => [
    `.ansi-${name}-fg { color: ${colour}; }`,
    `.ansi-${name}-bg { background-color: ${colour}; }`,
  ]),
  '.ansi-bold { font-weight: bold; }',
  '.ansi-faint { opacity: 0.7; }',
  '.ansi-italic { font-style: italic; }',
  '.ansi-underline { text-decoration: underline; }',
].join('\n');
