/** JSON pointers (RFC 6901): where a recipe finds a value in a site's answer. */

/** `""` or `/` followed by reference tokens; `~` only as `~0` or `~1`. */
export function isPointer(text: string): boolean {
  return /^(\/([^~]|~[01])*)*$/.test(text);
}

/** The value at `pointer` in `document`, or undefined where there is none (a pointer never reaches inherited fields). */
export function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    // An array's own `length` is no item.
    if (Array.isArray(value) && !/^(0|[1-9]\d*)$/.test(key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The value at `pointer` as an id: non-empty text, or a number written out; undefined for anything else. */
export function idAt(document: unknown, pointer: string): string | undefined {
  const value = valueAt(document, pointer);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
