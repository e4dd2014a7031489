// Internal XML entities (`<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>`), expanded before the document is mapped, so a
// feed that declares its own entities is read rather than refused. Only internal general entities are expanded, within
// limits; external entities (SYSTEM/PUBLIC: XXE), parameter entities and anything that grows too large or too deep
// ("billion laughs") refuse the whole feed with `feed.entityDeclaration`.
import { FeedParseError } from './errors.js';

export const entityLimits = {
  /** Declarations in one internal subset. */
  declarations: 64,
  /** Characters of one entity's fully expanded value. */
  valueChars: 10_000,
  /** Entities referring to entities referring to … */
  depth: 4,
  /** Characters added to the whole document by expansion. */
  addedChars: 1_000_000,
};

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const NAME = '[A-Za-z_:][\\w.:-]*';

const refused = (why: string) =>
  new FeedParseError(
    'feed.entityDeclaration',
    `The feed declares XML entities we will not expand: ${why}. Internal entities with short plain values are read; ` +
      'ask the publisher to remove the others from the DOCTYPE.',
  );

/** The DOCTYPE's internal subset `[...]` within `prolog` (the text before the root element), with where the whole
 *  DOCTYPE declaration starts and ends; undefined when there is none. */
function internalSubset(prolog: string): { start: number; end: number; subset: string } | undefined {
  const start = prolog.search(/<!DOCTYPE/i);
  if (start < 0) return undefined;
  const open = prolog.indexOf('[', start);
  const gt = prolog.indexOf('>', start);
  if (open < 0 || (gt >= 0 && gt < open)) return undefined;
  const close = /\]\s*>/g;
  close.lastIndex = open;
  const m = close.exec(prolog);
  if (!m) return undefined;
  return { start, end: m.index + m[0].length, subset: prolog.slice(open + 1, m.index) };
}

/** Reads the declarations of an internal subset: entity name → literal value. */
function readDeclarations(subset: string): Map<string, string> {
  const declared = new Map<string, string>();
  // Markup declarations, comments, processing instructions and whitespace; anything else (a parameter-entity
  // reference such as `%ext;`) is refused.
  const token = /\s+|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b[^>]*)\s*>|<!(?:ELEMENT|ATTLIST|NOTATION)\b(?:"[^"]*"|'[^']*'|[^>"'])*>/iy;
  let at = 0;
  while (at < subset.length) {
    token.lastIndex = at;
    const m = token.exec(subset);
    if (!m) throw refused(`the DOCTYPE holds something other than entity declarations ("${subset.slice(at, at + 40).trim()}…")`);
    at = token.lastIndex;
    const name = m[2];
    if (name === undefined) continue;
    if (m[1]) throw refused(`"%${name}" is a parameter entity`);
    if (m[5]) throw refused(`"${name}" is an external entity (${m[5].toUpperCase()}), which could read files or URLs`);
    if (!new RegExp(`^${NAME}$`).test(name)) throw refused(`"${name}" is not an entity name`);
    if (declared.size >= entityLimits.declarations) throw refused(`more than ${entityLimits.declarations} declarations`);
    const value = m[3] ?? m[4] ?? '';
    if (value.includes('%')) throw refused(`"${name}" refers to a parameter entity`);
    // The first declaration of a name binds (XML 1.0 §4.2).
    if (!declared.has(name)) declared.set(name, value);
  }
  return declared;
}

/** Each entity's replacement text with the entities it refers to expanded, refusing cycles, nesting and size. */
function expandAll(declared: Map<string, string>): Map<string, string> {
  // name → expanded value and its height (1 for a value that refers to no other entity).
  const expanded = new Map<string, { value: string; height: number }>();
  const ref = new RegExp(`&(${NAME});`, 'g');
  const expand = (name: string, visiting: Set<string>): { value: string; height: number } => {
    const done = expanded.get(name);
    if (done) return done;
    if (visiting.has(name)) throw refused(`"${name}" refers to itself`);
    visiting.add(name);
    let out = '';
    let height = 1;
    let last = 0;
    const value = declared.get(name)!;
    for (const m of value.matchAll(ref)) {
      const inner = m[1]!;
      out += value.slice(last, m.index);
      if (declared.has(inner) && !PREDEFINED.has(inner)) {
        const child = expand(inner, visiting);
        height = Math.max(height, child.height + 1);
        if (height > entityLimits.depth) throw refused(`entities nest more than ${entityLimits.depth} deep (an expansion bomb)`);
        out += child.value;
      } else out += m[0];
      last = m.index + m[0].length;
      if (out.length > entityLimits.valueChars) throw refused(`"${name}" expands to more than ${entityLimits.valueChars} characters (an expansion bomb)`);
    }
    out += value.slice(last);
    if (out.length > entityLimits.valueChars) throw refused(`"${name}" expands to more than ${entityLimits.valueChars} characters`);
    visiting.delete(name);
    const result = { value: out, height };
    expanded.set(name, result);
    return result;
  };
  for (const name of declared.keys()) expand(name, new Set());
  return new Map([...expanded].map(([name, e]) => [name, e.value]));
}

/**
 * Expands the internal entities a document declares and removes its DOCTYPE internal subset. `prologEnd` is where the
 * root element starts. Returns the text unchanged when there is no internal subset. References inside CDATA sections
 * and comments are left as written, as an XML parser would.
 */
export function expandInternalEntities(text: string, prologEnd: number): string {
  const found = internalSubset(text.slice(0, prologEnd));
  if (!found) return text;
  const values = expandAll(readDeclarations(found.subset));
  const body = text.slice(found.end);
  let added = 0;
  const replaced = body.replace(new RegExp(`<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|<!--[\\s\\S]*?-->|&(${NAME});`, 'g'), (whole, name?: string) => {
    const value = name === undefined ? undefined : values.get(name);
    if (value === undefined) return whole;
    added += value.length;
    if (added > entityLimits.addedChars) throw refused(`expanding them would add more than ${entityLimits.addedChars} characters (an expansion bomb)`);
    return value;
  });
  return text.slice(0, found.start) + replaced;
}
