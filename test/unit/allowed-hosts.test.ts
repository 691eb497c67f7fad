import { describe, expect, it } from 'vitest';
import { allowedHosts } from '../../local/allowed-hosts';

describe('allowedHosts', () => {
  const local = allowedHosts(3000);
  const tunnelled = allowedHosts(3000, new URL('https://abc.tunnel.example'));
  const onPort = allowedHosts(3000, new URL('http://dev.example:8080/'));

  it.each(['127.0.0.1:3000', 'localhost:3000', 'LocalHost:3000', '[::1]:3000'])('%s is local', (host) => {
    expect(local(host)).toBe('local');
  });

  it.each([
    undefined,
    '',
    'localhost',
    'localhost:3001',
    'attacker.example:3000',
    '127.0.0.2:3000',
    'localhost.:3000',
    'user@localhost:3000',
    'localhost:3000/x',
    '[::1]',
    'abc.tunnel.example',
  ])('%s is refused without a public URL', (host) => {
    expect(local(host)).toBe('refused');
  });

  it("a public URL's host is public, with its scheme's default port or the one it names", () => {
    expect(tunnelled('abc.tunnel.example')).toBe('public');
    expect(tunnelled('ABC.tunnel.example:443')).toBe('public');
    expect(tunnelled('abc.tunnel.example:80')).toBe('refused');
    expect(tunnelled('localhost:3000')).toBe('local');
    expect(onPort('dev.example:8080')).toBe('public');
    expect(onPort('dev.example')).toBe('refused');
  });
});
