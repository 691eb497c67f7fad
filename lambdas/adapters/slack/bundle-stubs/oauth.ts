/**
 * Bundle stub for `@slack/oauth` (and jsonwebtoken, semver): Bolt's HTTP, Express and Socket Mode
 * receivers construct an InstallProvider for multi-workspace installs, and Bolt's index re-exports
 * the installation stores. stepup's Lambda is a single-workspace app authorised by its bot token.
 */
import { unavailable } from './unavailable';

export const InstallProvider = unavailable('@slack/oauth', 'InstallProvider');
export const FileInstallationStore = unavailable('@slack/oauth', 'FileInstallationStore');
export const MemoryInstallationStore = unavailable('@slack/oauth', 'MemoryInstallationStore');
