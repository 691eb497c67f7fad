/**
 * Bundle stub for `@slack/oauth` (and jsonwebtoken, semver): Bolt's HTTP, Express and Socket Mode
 * receivers construct an InstallProvider for multi-workspace installs, and Bolt's index re-exports
 * the installation stores. stepup's Lambda is a single-workspace app authorised by its bot token.
 */
import { boltUnused } from './bolt-unused';

export const InstallProvider = boltUnused('@slack/oauth', 'InstallProvider');
export const FileInstallationStore = boltUnused('@slack/oauth', 'FileInstallationStore');
export const MemoryInstallationStore = boltUnused('@slack/oauth', 'MemoryInstallationStore');
