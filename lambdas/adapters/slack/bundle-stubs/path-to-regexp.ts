/**
 * Bundle stub for `path-to-regexp`: Bolt matches `customRoutes` with it in the HTTP and Socket Mode
 * receivers only. AwsLambdaReceiver has no custom routes.
 */
import { boltUnused } from './bolt-unused';

export const match = boltUnused('path-to-regexp', 'match');
