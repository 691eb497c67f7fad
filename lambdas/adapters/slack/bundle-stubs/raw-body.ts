/**
 * Bundle stub for `raw-body` (and iconv-lite): Bolt reads Node request streams with it in
 * HTTPModuleFunctions and ExpressReceiver. AwsLambdaReceiver gets the body as a string in the event.
 */
import { boltUnused } from './bolt-unused';

const getRawBody = boltUnused('raw-body', 'getRawBody()');
export default getRawBody;
