/**
 * Bundle stub for `@slack/socket-mode` (and, through it, undici): Bolt's SocketModeReceiver creates a
 * SocketModeClient in its constructor; stepup's Lambda receives Slack over HTTPS and never makes one.
 */
import { boltUnused } from './bolt-unused';

export const SocketModeClient = boltUnused('@slack/socket-mode', 'SocketModeClient');
