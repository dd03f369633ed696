import { describe, expect, it } from 'vitest';
import { idAt, isPointer, valueAt } from './pointer.ts';

describe('JSON pointers', () => {
  const doc = { a: { 'b/c': 1, 'd~e': 'x', list: [{ id: 'first' }, { id: 2 }] }, '': 'empty key', n: null };

  it.each([
    ['', doc],
    ['/a/b~1c', 1],
    ['/a/d~0e', 'x'],
    ['/a/list/0/id', 'first'],
    ['/a/list/1/id', 2],
    ['/', 'empty key'],
    ['/n', null],
  ])('%j finds its value', (pointer, value) => {
    expect(valueAt(doc, pointer)).toEqual(value);
  });

  it.each(['/missing', '/a/list/2', '/a/list/01', '/a/list/length', '/a/constructor', '/a/__proto__', '/n/x', '/a/b~1c/x'])(
    '%j finds nothing',
    (pointer) => {
      expect(valueAt(doc, pointer)).toBeUndefined();
    },
  );

  it('reads ids as text: strings that are not empty, and finite numbers', () => {
    expect(idAt(doc, '/a/list/0/id')).toBe('first');
    expect(idAt(doc, '/a/list/1/id')).toBe('2');
    expect(idAt({ id: '' }, '/id')).toBeUndefined();
    expect(idAt({ id: Infinity }, '/id')).toBeUndefined();
    expect(idAt({ id: {} }, '/id')).toBeUndefined();
  });

  it.each([['', true], ['/a', true], ['/a~0~1', true], ['a', false], ['/a~2', false], ['/a~', false]])('%j is a pointer: %s', (text, valid) => {
    expect(isPointer(text)).toBe(valid);
  });
});
