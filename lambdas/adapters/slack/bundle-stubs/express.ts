/**
 * Bundle stub for `express` (with body-parser, send, mime-db, iconv-lite, qs, …): only Bolt's
 * ExpressReceiver constructor calls it; stepup's Lambda uses AwsLambdaReceiver.
 */
import { boltUnused } from './bolt-unused';

const express = boltUnused('express', 'express()');
export default express;
export const Router = boltUnused('express', 'Router');
