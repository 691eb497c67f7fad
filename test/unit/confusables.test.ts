import { readFileSync } from 'node:fs';
import unhomoglyph from 'unhomoglyph';
import { describe, expect, it } from 'vitest';
import { replaceConfusables } from '../../lambdas/domain/policy/confusables';
import { CONFUSABLES_FILE, renderConfusablesFile, unhomoglyphTable } from '../../scripts/confusables-file';

/*
 * The identity skeleton's confusables mapping (a generated table decoded on first use, looked up code
 * point by code point) gives exactly what `unhomoglyph` gives, over its whole table and over mixed
 * strings: astral code points, lone surrogates, prototypes that are themselves keys.
 */

const table = unhomoglyphTable();
const keys = Object.keys(table);
const values = Object.values(table);

/** A deterministic pseudo-random source (mulberry32), so a failure can be re-run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('replaceConfusables', () => {
  it('is generated from the installed unhomoglyph (npm run confusables)', () => {
    expect(readFileSync(CONFUSABLES_FILE, 'utf8')).toBe(renderConfusablesFile());
  });

  it('maps every key of the table as unhomoglyph does', () => {
    const differing = keys.filter((key) => replaceConfusables(key) !== unhomoglyph(key));
    expect(differing).toEqual([]);
    expect(keys.length).toBeGreaterThan(6000);
  });

  it('maps the whole table at once, keys and prototypes interleaved, as unhomoglyph does', () => {
    const text = keys.map((key, i) => `${key}${values[i] ?? ''}x`).join('');
    expect(replaceConfusables(text)).toBe(unhomoglyph(text));
  });

  it.each([
    ['ASCII', 'alice@example.com'],
    ['Cyrillic and Greek look-alikes', '\u0430lic\u0435@\u0435xample.c\u03bfm'],
    ['mathematical alphanumerics (astral)', '\u{1d41a}\u{1d425}\u{1d422}\u{1d41c}\u{1d41e}'],
    ['emoji and astral letters without a prototype', 'a\u{1f600}b\u{10400}c'],
    ['lone surrogates', 'a\ud835b\udc1ac\ud835'],
    ['a high surrogate before an astral key', '\ud835\u{1d41a}'],
    ['empty', ''],
  ])('maps %s as unhomoglyph does', (_, text) => {
    expect(replaceConfusables(text)).toBe(unhomoglyph(text));
  });

  it('maps 2,000 random strings of keys, prototypes, surrogates and other code points as unhomoglyph does', () => {
    const next = random(20261203);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const piece = (): string => {
      const kind = next();
      if (kind < 0.4) return pick(keys);
      if (kind < 0.6) return pick(values);
      if (kind < 0.7) return String.fromCharCode(0xd800 + Math.floor(next() * 0x800));
      return String.fromCodePoint(Math.floor(next() * 0x110000));
    };
    const differing: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 12) }, piece).join('');
      if (replaceConfusables(text) !== unhomoglyph(text)) differing.push(text);
    }
    expect(differing).toEqual([]);
  });
});
