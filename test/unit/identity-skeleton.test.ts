import { describe, expect, it } from 'vitest';
import { identitySkeleton, normalizeIdentity } from '../../lambdas/domain/policy/identity-skeleton';

describe('normalizeIdentity', () => {
  it.each([
    [' Alice@Example.com ', 'alice@example.com'],
    ['MAILTO:alice@example.com', 'alice@example.com'],
    ['mailto: alice@example.com', 'alice@example.com'],
    ['\uff21lice@example.com', 'alice@example.com'],
    ['<@U0ALICE>', 'u0alice'],
    ['<@U0ALICE|alice>', 'u0alice'],
  ])('%j → %j', (raw, normalized) => {
    expect(normalizeIdentity(raw)).toBe(normalized);
  });
});

describe('identitySkeleton (UTS #39)', () => {
  const alice = identitySkeleton('alice@example.com');

  it.each([
    ['Cyrillic а', '\u0430lice@example.com'],
    ['Cyrillic е and о', 'alic\u0435@\u0435xample.c\u043em'],
    ['Greek ο', 'alice@example.c\u03bfm'],
    ['rn for m', 'alice@exarnple.com'],
    ['1 for l', 'a1ice@example.com'],
    ['a decomposed accent-free spelling', 'alice@example.com'.normalize('NFD')],
  ])('a look-alike with %s has the same skeleton', (_, lookalike) => {
    expect(identitySkeleton(lookalike)).toBe(alice);
  });

  it('different people keep different skeletons', () => {
    expect(identitySkeleton('alicia@example.com')).not.toBe(alice);
    expect(identitySkeleton('bob@example.com')).not.toBe(alice);
    expect(identitySkeleton('U0BOB')).not.toBe(identitySkeleton('U0ALICE'));
  });
});
