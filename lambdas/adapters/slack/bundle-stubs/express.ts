/**
 * Bundle stub for `express` (with body-parser, send, mime-db, iconv-lite, qs, …): only Bolt's
 * ExpressReceiver constructor calls it; stepup's Lambda uses AwsLambdaReceiver.
 */
import { unavailable } from './unavailable';

const express = unavailable('express', 'express()');
export default express;
export const Router = unavailable('express', 'Router');
