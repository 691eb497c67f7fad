// One Lambda execution environment: loads the handler named by _HANDLER from LAMBDA_TASK_ROOT the
// way the Node.js runtime does (init once, then one invocation at a time), and takes invocations
// from the parent over IPC instead of the Runtime API. The function's own output goes to this
// process's stdout/stderr, which the parent keeps as the function's log.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const taskRoot = process.env.LAMBDA_TASK_ROOT;
// Given by the parent; never part of the function's environment.
const LOG_MARKER = process.argv[2];
const [moduleName, exportName] = splitHandler(process.env._HANDLER);

function splitHandler(handler) {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

function errorPayload(error, errorType) {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: errorType ?? e.name ?? 'Error',
    errorMessage: e.message,
    trace: String(e.stack ?? '').split('\n'),
  };
}

// The Init phase: a module that throws here fails every invocation, as Runtime.ImportModuleError
// or Runtime.HandlerNotFound does on Lambda.
let handler;
let initError;
try {
  // The Node.js runtime looks for <module>.js, then .mjs, then .cjs (this host loads CommonJS only).
  const file = ['.js', '.cjs']
    .map((ext) => join(taskRoot, moduleName + ext))
    .find((path) => existsSync(path));
  if (!file) throw new Error(`Cannot find module '${moduleName}'`);
  const loaded = require(file);
  handler = loaded[exportName];
  if (typeof handler !== 'function') {
    initError = errorPayload(
      new Error(`${moduleName}.${exportName} is undefined or not exported`),
      'Runtime.HandlerNotFound',
    );
  }
} catch (error) {
  initError = errorPayload(error, 'Runtime.ImportModuleError');
}
if (initError) console.error(`INIT_ERROR ${JSON.stringify(initError)}`);

function context(message) {
  const deadline = message.deadlineMs;
  return {
    awsRequestId: message.requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// Output and the IPC result travel on different channels; a marker line on stdout and stderr after
// each invocation lets the parent hand back the result only once the invocation's log is complete.
function finish(message, answer) {
  const marker = `${LOG_MARKER}${message.id}\n`;
  process.stdout.write(marker);
  process.stderr.write(marker);
  process.send({ type: 'result', id: message.id, ...answer });
}

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  if (initError) {
    finish(message, { error: initError });
    return;
  }
  process.env._X_AMZN_TRACE_ID = message.traceId;
  try {
    const result = await handler(message.event, context(message));
    finish(message, { result: result === undefined ? null : result });
  } catch (error) {
    const payload = errorPayload(error);
    // What the Node.js runtime logs for a failed invocation.
    console.error(
      `${new Date().toISOString()}\t${message.requestId}\tERROR\tInvoke Error \t${JSON.stringify(payload)}`,
    );
    finish(message, { error: payload });
  }
});

process.send({ type: 'ready' });
