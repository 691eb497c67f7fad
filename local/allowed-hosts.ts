/** The names a browser on this machine uses for the loopback interface the server listens on. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** `name` or `name:port`, the name a DNS name, an IPv4 address or a bracketed IPv6 address. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i;

/** Who a request is addressed to, by its `Host` header. */
export type HostAudience =
  /** The developer's own machine: every route. */
  | 'local'
  /** The public URL a tunnel forwards (`STEPUP_PUBLIC_URL`): Slack's requests only. */
  | 'public'
  /** Anything else, e.g. a DNS-rebinding page's own name: refused. */
  | 'refused';

/** Classifies a request's `Host` header (see {@link allowedHosts}). */
export type HostCheck = (host: string | undefined) => HostAudience;

/** The port a `Host` without one means: the scheme's default. */
const defaultPort = (protocol: string): string => (protocol === 'https:' ? '443' : '80');

const authority = (name: string, port: string): string => `${name.toLowerCase()}:${port}`;

/**
 * The `Host` headers the local server answers. A DNS-rebinding page reaches 127.0.0.1 under its own
 * name, so the browser sends that name as `Host`: serving only loopback names with the listening
 * port is what keeps such a page from minting dev tokens or clicking Approve. A public URL that
 * a tunnel forwards to this server is recognised too; the server serves Slack there, nothing else.
 * @param port the port the server listens on (plain HTTP)
 * @param publicUrl the tunnel's public base URL, when real Slack reaches `/slack/events` through one
 */
export function allowedHosts(port: number, publicUrl?: URL): HostCheck {
  const local = new Set(LOOPBACK_NAMES.map((name) => authority(name, String(port))));
  return (host) => {
    const match = HOST_HEADER.exec(host ?? '');
    if (!match?.[1]) return 'refused';
    const [, name, port] = match;
    if (local.has(authority(name, port ?? defaultPort('http:')))) return 'local';
    if (
      publicUrl &&
      authority(name, port ?? defaultPort(publicUrl.protocol)) ===
        authority(publicUrl.hostname, publicUrl.port || defaultPort(publicUrl.protocol))
    )
      return 'public';
    return 'refused';
  };
}
