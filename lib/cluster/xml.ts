// A reader of the XML that Pacemaker's tools print: elements, attributes and nesting, nothing else
// (crm_mon's status has no text content, CDATA, DTD or namespaces worth reading). Small and strict
// enough for that one regular format; anything it cannot follow is an error, never a guess.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The text directly inside it, trimmed (crm_mon's <error> messages). */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

// A tag, a declaration or processing instruction, a comment; text between tags is skipped.
const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[^]*?\?>|<!--[^]*?-->|<!DOCTYPE[^>]*>|</g;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The document's root element; throws an Error saying where the text stops being XML it can read. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  TOKEN.lastIndex = 0;
  let end = 0;
  // m: the token, then `/` of an end tag, the name, the attributes, `/` of an empty element. Read
  // by index, and attributes by exec, not destructured or matchAll-ed: both go through iterator
  // objects, which code that runs once, interpreted, pays for at every token (bench/README.md).
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const whole = m[0];
    const name = m[2];
    if (m.index > end && stack.length > 0) {
      const between = text.slice(end, m.index).trim();
      if (between) stack[stack.length - 1]!.text += decode(between);
    }
    end = m.index + whole.length;
    if (whole === '<') throw new Error(`not well-formed XML at offset ${m.index}`);
    if (name === undefined) continue; // declaration, comment
    if (m[1]) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes ${open ? `<${open.name}>` : 'nothing'} at offset ${m.index}`);
      continue;
    }
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    const attributeText = m[3];
    if (attributeText) {
      ATTRIBUTE.lastIndex = 0;
      for (let a = ATTRIBUTE.exec(attributeText); a; a = ATTRIBUTE.exec(attributeText)) element.attributes[a[1]!] = decode(a[2] ?? a[3] ?? '');
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`a second root element <${name}> at offset ${m.index}`);
    else root = element;
    if (!m[4]) stack.push(element);
  }
  if (!root) throw new Error('no XML element');
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed (cut short?)`);
  return root;
}

/** The first child called name, if any. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
