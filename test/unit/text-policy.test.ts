import { describe, expect, it } from 'vitest';
import { StepUpError } from '../../lambdas/domain/errors';
import { hasUnsafeCharacters, stripUnsafeCharacters } from '../../lambdas/domain/config/unsafe-characters';
import { requireText } from '../../lambdas/domain/config/validation';

const single = { max: 20 };
const free = { max: 20, multiline: true };
const refusal = (value: unknown, rule: { max: number; multiline?: boolean } = single) => {
  try {
    requireText(value, 'f', rule);
  } catch (error) {
    return error instanceof StepUpError ? [error.code, error.message] : ['threw', String(error)];
  }
  return undefined;
};

describe('the text policy (requireText): one policy for agent and approver text', () => {
  it.each([
    ['U+061C arabic letter mark', '\u061c'],
    ['U+00AD soft hyphen', '\u00ad'],
    ['U+034F combining grapheme joiner', '\u034f'],
    ['U+180E mongolian vowel separator', '\u180e'],
    ['U+3164 hangul filler', '\u3164'],
    ['U+115F hangul choseong filler', '\u115f'],
    ['U+2800 braille pattern blank', '\u2800'],
    ['U+E0000 (unassigned tag)', '\u{e0000}'],
    ['U+E0001 language tag', '\u{e0001}'],
    ['U+E0041 tag latin capital A', '\u{e0041}'],
    ['U+E007F cancel tag', '\u{e007f}'],
    ['U+FE0F variation selector', '\ufe0f'],
    ['U+E000 private use', '\ue000'],
    ['U+2028 line separator', '\u2028'],
    ['U+2029 paragraph separator', '\u2029'],
    ['U+FFFF noncharacter', '\uffff'],
    ['U+202E right-to-left override', '\u202e'],
    ['U+200B zero width space', '\u200b'],
    ['U+0085 next line (C1)', '\u0085'],
  ])('refuses %s, by Unicode property, in single-line and free text alike', (_name, character) => {
    expect(hasUnsafeCharacters(character)).toBe(true);
    for (const rule of [single, free]) {
      expect(refusal(`ok${character}ok`, rule)).toEqual([
        'invalid_request',
        expect.stringMatching(/^f contains control, format, invisible or direction-changing characters/),
      ]);
    }
  });

  it('refuses a lone surrogate with its own message, naming the field and not the value', () => {
    for (const value of ['\ud800', 'a\udfffb', '\udc00\ud800']) {
      expect(refusal(value)).toEqual([
        'invalid_request',
        'f is not well-formed Unicode (it has a lone surrogate)',
      ]);
    }
  });

  it('accepts a surrogate pair, accents, CJK and plain spaces', () => {
    for (const value of ['😀', 'café', '注文', 'a\u00a0b', 'Ωmega']) expect(refusal(value)).toBeUndefined();
  });

  it('returns text normalised to NFC, and counts the length after normalising', () => {
    expect(requireText('cafe\u0301', 'f', single)).toBe('caf\u00e9');
    expect(requireText('\u212b', 'f', single)).toBe('\u00c5');
    // 20 decomposed characters (40 code points) fit a cap of 20 once composed.
    expect(requireText('e\u0301'.repeat(20), 'f', single)).toBe('\u00e9'.repeat(20));
  });

  it('allows tab and line breaks in free text only', () => {
    expect(refusal('a\tb\r\nc', free)).toBeUndefined();
    expect(refusal('a\nb')).toEqual([
      'invalid_request',
      'f contains control, format, invisible or direction-changing characters, tabs or line breaks',
    ]);
  });

  it('strips the same set for display, lone surrogates included', () => {
    expect(stripUnsafeCharacters('a\u2800b\u{e0041}c\ud800d\u3164e\nf')).toBe('abcde\nf');
  });
});
