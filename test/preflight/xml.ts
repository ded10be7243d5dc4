/**
 * A small, strict XML 1.0 parser for the JUnit tests: enough of the spec to reject what a CI's
 * parser would reject (bad characters, bare `&` or `<`, unknown entities, unbalanced or
 * duplicated markup) and to give back the tree to check structurally. Not for general use.
 */

export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: Array<XmlElement | string>
}

/** XML 1.0 `Char`: tab, LF, CR, and the ranges without C0 controls, surrogates, U+FFFE/U+FFFF. */
const isXmlChar = (cp: number) =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff)
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/
const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

export function parseXml(text: string): XmlElement {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (!isXmlChar(cp)) throw new Error(`character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0`)
  }
  let at = 0
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(text.slice(at, at + 40))}`)
  }
  const decode = (raw: string, inAttr: boolean): string => {
    if (raw.includes('<')) fail('"<" inside text or an attribute value')
    const normalised = inAttr ? raw.replace(/[\t\n\r]/g, ' ') : raw.replace(/\r\n?/g, '\n')
    return normalised.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail(`bare "&" (${whole})`)
      if (ref in ENTITIES) return ENTITIES[ref]!
      const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref)
      if (!num) return fail(`unknown entity &${ref};`)
      const cp = num[1] ? parseInt(num[1], 16) : parseInt(num[2]!, 10)
      if (!isXmlChar(cp)) fail(`character reference &${ref}; names a character XML 1.0 forbids`)
      return String.fromCodePoint(cp)
    })
  }
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++
  }
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>')
    if (end < 0) fail('unterminated declaration')
    at = end + 2
  }
  skipSpace()
  const element = (): XmlElement => {
    if (text[at] !== '<') fail('expected "<"')
    at++
    const name = NAME.exec(text.slice(at))?.[0] ?? fail('expected an element name')
    at += name.length
    const attrs: Record<string, string> = {}
    for (;;) {
      const before = at
      skipSpace()
      if (text.startsWith('/>', at)) {
        at += 2
        return {name, attrs, children: []}
      }
      if (text[at] === '>') {
        at++
        break
      }
      if (before === at) fail('expected whitespace before an attribute')
      const attr = NAME.exec(text.slice(at))?.[0] ?? fail('expected an attribute name')
      at += attr.length
      if (text[at] !== '=') fail('expected "="')
      const quote = text[++at]
      if (quote !== '"' && quote !== "'") fail('expected a quoted value')
      const end = text.indexOf(quote!, at + 1)
      if (end < 0) fail('unterminated attribute value')
      if (attr in attrs) fail(`duplicate attribute ${attr}`)
      attrs[attr] = decode(text.slice(at + 1, end), true)
      at = end + 1
    }
    const children: Array<XmlElement | string> = []
    for (;;) {
      if (at >= text.length) fail(`unclosed <${name}>`)
      if (text.startsWith('</', at)) {
        at += 2
        const close = NAME.exec(text.slice(at))?.[0]
        if (close !== name) fail(`</${close}> closes <${name}>`)
        at += name.length
        skipSpace()
        if (text[at] !== '>') fail('expected ">"')
        at++
        return {name, attrs, children}
      }
      if (text[at] === '<') children.push(element())
      else {
        const next = text.indexOf('<', at)
        const raw = text.slice(at, next < 0 ? text.length : next)
        if (raw.includes(']]>')) fail('"]]>" in text')
        children.push(decode(raw, false))
        at += raw.length
      }
    }
  }
  const root = element()
  skipSpace()
  if (at !== text.length) fail('content after the root element')
  return root
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name))
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('')
}
