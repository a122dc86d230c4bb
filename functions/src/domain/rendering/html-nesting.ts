// Elements that never hold content, and those whose opening closes an open sibling at the top of the stack, as
// htmlparser2 (sanitize-html's parser) treats them; everything else nests.
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const CLOSES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['p', new Set(['p'])],
  ['li', new Set(['li'])],
  ['dt', new Set(['dt', 'dd'])],
  ['dd', new Set(['dt', 'dd'])],
  ['tr', new Set(['tr', 'th', 'td'])],
  ['td', new Set(['td', 'th'])],
  ['th', new Set(['td', 'th'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
]);
// Their content is text to the parser, so a `<` inside them opens nothing.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);
const TAG = /<(\/?)([a-zA-Z][^\s/>]*)|<!--|<[!?]/g;

/**
 * Whether tags in `html` nest at most `limit` deep, read in one pass the way htmlparser2 would stack them.
 * sanitize-html's cost grows with the depth of its stack on every tag, so an unbounded depth is quadratic.
 */
export const nestsWithin = (html: string, limit: number): boolean => {
  const stack: string[] = [];
  const lower = html.toLowerCase();
  TAG.lastIndex = 0;
  for (let match = TAG.exec(html); match; match = TAG.exec(html)) {
    const [whole, slash, rawName] = match;
    if (!rawName) {
      // A comment ends at `-->`, a declaration or processing instruction at `>`.
      const end = lower.indexOf(whole === '<!--' ? '-->' : '>', match.index + whole.length);
      TAG.lastIndex = end < 0 ? html.length : end + 1;
      continue;
    }
    const name = rawName.toLowerCase();
    if (slash) {
      const open = stack.lastIndexOf(name);
      if (open >= 0) stack.length = open;
      continue;
    }
    if (VOID.has(name)) continue;
    const closes = CLOSES.get(name);
    while (closes && stack.length > 0 && closes.has(stack.at(-1)!)) stack.pop();
    stack.push(name);
    if (stack.length > limit) return false;
    if (RAW_TEXT.has(name)) {
      const end = lower.indexOf(`</${name}`, TAG.lastIndex);
      stack.pop();
      TAG.lastIndex = end < 0 ? html.length : end;
    }
  }
  return true;
};
