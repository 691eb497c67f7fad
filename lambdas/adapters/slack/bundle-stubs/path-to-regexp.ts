/**
 * Bundle stub for `path-to-regexp`: Bolt matches `customRoutes` with it in the HTTP and Socket Mode
 * receivers only. AwsLambdaReceiver has no custom routes.
 */
import { unavailable } from './unavailable';

export const match = unavailable('path-to-regexp', 'match');
