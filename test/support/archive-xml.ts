// A small, strict XML parser for checking the SVG the plot command writes: well-formedness
// (one root, matching tags, quoted attributes without duplicates, only the five predefined
// entities and character references, no stray < or &) and the element tree. Not a general parser:
// no DTD, no namespaces beyond keeping xmlns as an attribute.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}

function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
}

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML: ${what} at line ${line}`);
  };
  const expect = (text: string) => {
    if (!source.startsWith(text, i)) fail(`expected ${JSON.stringify(text)}`);
    i += text.length;
  };
  const skipSpace = () => {
    while (i < source.length && isSpace(source[i])) i++;
  };
  const name = (): string => {
    const start = i;
    if (!isNameStart(source[i] ?? '')) fail('expected a name');
    while (i < source.length && isNameChar(source[i])) i++;
    return source.slice(start, i);
  };
  /** Decodes entities in text up to a terminator; rejects < inside it. */
  const characters = (stop: string): string => {
    let out = '';
    while (i < source.length && source[i] !== stop) {
      const c = source[i];
      if (c === '<') fail('unexpected <');
      if (c === '&') {
        const end = source.indexOf(';', i);
        if (end < 0) fail('unterminated entity');
        const ref = source.slice(i + 1, end);
        if (ref.startsWith('#x')) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
        else if (ref.startsWith('#')) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
        else if (ref in ENTITIES) out += ENTITIES[ref];
        else fail(`unknown entity &${ref};`);
        i = end + 1;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  const misc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i + 2);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    expect('<');
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const spaced = isSpace(source[i] ?? '');
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (!spaced) fail('expected space before an attribute');
      const attribute = name();
      if (attribute in el.attributes) fail(`duplicate attribute ${attribute}`);
      skipSpace();
      expect('=');
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('attribute value not quoted');
      i++;
      el.attributes[attribute] = characters(quote);
      expect(quote);
    }
    for (;;) {
      el.text += characters('<');
      if (i >= source.length) fail(`unclosed <${el.name}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        expect('>');
        return el;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };

  misc();
  const root = element();
  misc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}
