import { describe, expect, it } from 'vitest';
import { untrustedText, untrustedTextMiddle } from '../../lambdas/adapters/slack/untrusted-text';

describe('untrustedText: no Slack control sequence can form', () => {
  it('escapes a channel ping', () => {
    expect(untrustedText('<!channel> please approve', 100)).toBe('&lt;!channel&gt; please approve');
    expect(untrustedText('<!here|here> <!everyone>', 100)).toBe('&lt;!here|here&gt; &lt;!everyone&gt;');
  });

  it('escapes a user mention', () => {
    expect(untrustedText('ask <@U0123>', 100)).toBe('ask &lt;@U0123&gt;');
  });

  it('escapes a disguised link', () => {
    expect(untrustedText('<https://evil.example|Approve>', 100)).toBe('&lt;https://evil.example|Approve&gt;');
  });

  it('escapes ampersands, including ones that already look like entities', () => {
    expect(untrustedText('R&D', 100)).toBe('R&amp;D');
    expect(untrustedText('&lt;!channel&gt;', 100)).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('leaves no raw < > or & behind for any mix of them', () => {
    const out = untrustedText('<<&>>&amp;<!subteam^S0123>', 100);
    expect(out.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[<>&]/);
  });
});

describe('untrustedText: invisible and direction-changing characters', () => {
  it('strips a right-to-left override', () => {
    expect(untrustedText('approve\u202e.exe', 100)).toBe('approve.exe');
  });

  it('strips every bidi embedding, override and isolate', () => {
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f';
    expect(untrustedText(`a${bidi}b`, 100)).toBe('ab');
  });

  it('strips zero-width characters and the BOM', () => {
    expect(untrustedText('de\u200bn\u200cy\u200d\u2060\ufeff', 100)).toBe('deny');
  });

  it('strips C0 and C1 controls but keeps newlines and tabs', () => {
    expect(untrustedText('a\u0000b\u0007c\u001bd\u007fe\u0085f', 100)).toBe('abcdef');
    expect(untrustedText('line 1\nline 2\r\n\tindented', 100)).toBe('line 1\nline 2\r\n\tindented');
  });
});

describe('untrustedText: single-line values', () => {
  it('shows line breaks visibly and tabs as spaces, so a value cannot add a line', () => {
    expect(untrustedText('bot\nApproved by: security', 100, { singleLine: true })).toBe(
      'bot\u21b5Approved by: security',
    );
    expect(untrustedText('a\r\nb\rc\td', 100, { singleLine: true })).toBe('a\u21b5b\u21b5c d');
  });

  it('strips the separators and invisible fillers the text policy refuses', () => {
    expect(untrustedText('a\u2028b\u2029c\u3164d\u2800e\u{e0041}f', 100, { singleLine: true })).toBe(
      'abcdef',
    );
  });
});

describe('untrustedText: length cap', () => {
  it('caps 10,000 characters at max, ending with an ellipsis', () => {
    const out = untrustedText('a'.repeat(10_000), 2000);
    expect([...out]).toHaveLength(2000);
    expect(out.endsWith('…')).toBe(true);
    expect(out.slice(0, -1)).toBe('a'.repeat(1999));
  });

  it('does not touch text of exactly max characters', () => {
    expect(untrustedText('abcde', 5)).toBe('abcde');
    expect(untrustedText('abcdef', 5)).toBe('abcd…');
  });

  it('counts code points, never splitting an emoji', () => {
    const out = untrustedText('😀'.repeat(10), 5);
    expect(out).toBe('😀😀😀😀…');
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('strips before counting, so invisible characters cannot push visible text out', () => {
    expect(untrustedText(`${'\u200b'.repeat(50)}abc`, 3)).toBe('abc');
  });

  it('caps the ESCAPED text: 2000 "<" become at most 2000 characters, never a split entity', () => {
    const out = untrustedText('<'.repeat(2000), 2000);
    expect([...out].length).toBeLessThanOrEqual(2000);
    expect(out).toBe(`${'&lt;'.repeat(499)}…`);
  });

  it('keeps text whose escaped form is exactly max, and cuts one character more', () => {
    expect(untrustedText('a<', 5)).toBe('a&lt;');
    expect(untrustedText('a<b', 5)).toBe('a…');
    expect(untrustedText('ab&', 7)).toBe('ab&amp;');
    expect(untrustedText('ab&c', 7)).toBe('ab…');
  });

  it('ends in an ellipsis rather than an entity that does not fit', () => {
    expect(untrustedText('<', 3)).toBe('…');
    expect(untrustedText('x&', 5)).toBe('x…');
  });

  it('never exceeds max, never splits an entity or a surrogate pair, for any mix of characters', () => {
    const alphabet = ['a', '<', '>', '&', '😀', 'é', '\u202e'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 500; run++) {
      const text = Array.from(
        { length: Math.floor(random() * 30) },
        () => alphabet[Math.floor(random() * 7)],
      ).join('');
      const max = 1 + Math.floor(random() * 40);
      const out = untrustedText(text, max);
      const full = text
        .replace(/\u202e/g, '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;');
      expect([...out].length).toBeLessThanOrEqual(max);
      if ([...full].length <= max) expect(out).toBe(full);
      else {
        expect(out.endsWith('…')).toBe(true);
        expect(full.startsWith(out.slice(0, -1))).toBe(true);
        expect(out.slice(0, -1).replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[<>&]/);
      }
      expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });
});

describe('untrustedText: ordinary text survives', () => {
  it('keeps emoji and non-ASCII text intact', () => {
    const text = 'Löschen der Tabelle 🔥 — 注文テーブル 👍🏽 مرحبا';
    expect(untrustedText(text, 200)).toBe(text);
  });

  it('keeps Slack-looking text without angle brackets as it is', () => {
    expect(untrustedText('*bold* _it_ :white_check_mark: @alice #general', 200)).toBe(
      '*bold* _it_ :white_check_mark: @alice #general',
    );
  });
});

describe('untrustedTextMiddle: long names keep both ends', () => {
  it('returns short text as untrustedText does, on one line', () => {
    expect(untrustedTextMiddle('prod/<orders>\nx', 50)).toBe('prod/&lt;orders&gt;\u21b5x');
  });

  it('cuts in the middle, never over max, never inside an entity or a surrogate pair', () => {
    for (const text of ['a'.repeat(300) + '/orders', '&'.repeat(300), '𝕏&'.repeat(200)]) {
      for (const max of [10, 11, 99, 100]) {
        const cut = untrustedTextMiddle(text, max);
        expect([...cut].length).toBeLessThanOrEqual(max);
        expect(cut).toContain('…');
        expect(cut.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/&/);
        expect(cut.isWellFormed()).toBe(true);
      }
    }
    expect(untrustedTextMiddle(`prod/${'x'.repeat(300)}/orders`, 40).endsWith('/orders')).toBe(true);
  });
});
