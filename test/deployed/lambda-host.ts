import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleCredentials } from './aws/principals';
import type { TemplateFunction } from './aws/account';

/** The host script each execution environment runs (plain CommonJS: Node 22 loads it without tsx). */
const HOST_SCRIPT = join(__dirname, 'lambda-runtime', 'host.cjs');
/** Preloaded into every host: refuses and reports connections to anything but 127.0.0.1. */
const NETWORK_GUARD = join(__dirname, 'lambda-runtime', 'network-guard.cjs');

/** Where the functions run: the Node binary, the runtime's SDK folder and the stand-in endpoints. */
export interface LambdaRuntimeOptions {
  /** Node binary (22, like `nodejs22.x`). */
  readonly nodeExecPath: string;
  /** A `node_modules` holding only the SDK the Lambda runtime provides (`NODE_PATH`). */
  readonly sdkNodePath: string;
  readonly region: string;
  /** `AWS_ENDPOINT_URL_<SERVICE>` values, e.g. `{ DYNAMODB: 'http://127.0.0.1:1234' }`. */
  readonly endpoints: Readonly<Record<string, string>>;
  /**
   * Variables the suite adds on top of the template's, each a documented test override
   * (e.g. `SLACK_API_URL`, which the template does not set because production uses Slack itself).
   * @default none
   */
  readonly overrides?: Readonly<Record<string, string>>;
  /**
   * Execution environments one function may have at once; further concurrent invocations queue
   * (like reserved concurrency). Keeps a burst of cold starts from starving a 2-core machine.
   * @default 2
   */
  readonly maxEnvironmentsPerFunction?: number;
}

/** One function of the template, resolved: what a host needs to run it. */
export interface HostedFunction {
  readonly definition: TemplateFunction;
  /** The asset directory (`/var/task`). */
  readonly taskRoot: string;
  /** `Environment.Variables` exactly as the template sets them, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** The execution role's credentials. */
  readonly credentials: RoleCredentials;
}

/** A failed invocation, as Lambda reports it (`X-Amz-Function-Error: Unhandled`). */
export class LambdaInvokeError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`${functionName}: ${errorType}: ${errorMessage}`);
    this.name = 'LambdaInvokeError';
  }
}

/** An outbound connection a host refused (anything but 127.0.0.1). */
export interface RefusedEgress {
  readonly functionName: string;
  readonly kind: string;
  readonly host: string;
  readonly port?: number;
}

interface HostMessage {
  readonly type: 'ready' | 'result' | 'egress';
  readonly id?: string;
  readonly result?: unknown;
  readonly error?: { errorType: string; errorMessage: string };
  readonly kind?: string;
  readonly host?: string;
  readonly port?: number;
}

/** A trace header like the one Lambda sets per invocation (`Root=1-<time>-<id>;Parent=…;Sampled=0`). */
function traceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${time}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

/** Ends each invocation's output on stdout and stderr (see host.cjs); random per run. */
const LOG_MARKER = `@@stepup-host-end-${randomBytes(6).toString('hex')}:`;

/** Splits a stream into lines, passing log text on and reporting invocation-end markers. */
function watchStream(
  stream: NodeJS.ReadableStream | null,
  append: (text: string) => void,
  onMarker: (id: string) => void,
): void {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(LOG_MARKER)) onMarker(line.slice(LOG_MARKER.length));
      else append(`${line}\n`);
    }
  });
  stream?.on('end', () => {
    if (partial) append(partial);
  });
}

/** An invocation in flight: done when the result and both end markers have arrived. */
interface InFlight {
  message?: HostMessage;
  markers: number;
  readonly settle: (message: HostMessage) => void;
}

/**
 * One execution environment of a function: a child process on the Lambda Node version with the
 * function's environment, initialised once, serving one invocation at a time over IPC.
 */
class ExecutionEnvironment {
  busy = false;
  /** Invocations sent to this environment so far. */
  private invocations = 0;
  private readonly pending = new Map<string, InFlight>();
  private readonly ready: Promise<void>;
  private exited: Error | undefined;

  constructor(
    private readonly fn: HostedFunction,
    private readonly child: ChildProcess,
    append: (text: string) => void,
    private readonly onEgress: (egress: RefusedEgress) => void,
  ) {
    const marker = (id: string) => {
      const flight = this.pending.get(id);
      if (flight) {
        flight.markers++;
        this.settleIfDone(flight);
      }
    };
    watchStream(child.stdout, append, marker);
    watchStream(child.stderr, append, marker);
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (message: HostMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'egress')
          this.onEgress({
            functionName: fn.definition.functionName,
            kind: message.kind ?? 'connection',
            host: message.host ?? '?',
            port: message.port,
          });
        else if (message.type === 'result' && message.id) {
          const flight = this.pending.get(message.id);
          if (flight) {
            flight.message = message;
            this.settleIfDone(flight);
          }
        }
      });
      // A send to an environment that was stopped meanwhile (EPIPE) fails that invocation, as the
      // exit below does; unhandled, the 'error' event would take the whole suite down.
      child.on('error', (error) => {
        this.exited ??= new Error(`${fn.definition.functionName}: runtime unreachable (${error.message})`);
      });
      child.on('exit', (code, signal) => {
        this.exited = new Error(`${fn.definition.functionName}: runtime exited (${signal ?? code})`);
        reject(this.exited);
        for (const flight of this.pending.values()) {
          flight.settle({
            type: 'result',
            error: { errorType: 'Runtime.ExitError', errorMessage: this.exited.message },
          });
        }
      });
    });
    // An environment that dies before an invocation reports it through that invocation.
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  private settleIfDone(flight: InFlight): void {
    if (flight.message && flight.markers === 2) flight.settle(flight.message);
  }

  /**
   * Sends one invocation once the environment is initialised.
   * @returns the answer, how long the invocation ran (Lambda's REPORT `Duration`: without Init), and
   *   whether it was the environment's first (a cold start's)
   */
  async invoke(
    event: unknown,
    requestId: string,
  ): Promise<{ message: HostMessage; ms: number; cold: boolean }> {
    await this.ready;
    const cold = this.invocations++ === 0;
    const started = performance.now();
    const id = randomUUID();
    const timeoutMs = this.fn.definition.timeout * 1000;
    const answered = new Promise<HostMessage>((settle) => this.pending.set(id, { markers: 0, settle }));
    this.child.send(
      {
        type: 'invoke',
        id,
        event,
        requestId,
        traceId: traceId(),
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: this.fn.definition.functionArn,
      },
      (error) => {
        if (!error) return;
        this.pending.get(id)?.settle({
          type: 'result',
          error: { errorType: 'Runtime.ExitError', errorMessage: `runtime unreachable: ${error.message}` },
        });
      },
    );
    // Lambda's own limit: a function that overruns its Timeout is stopped and the invocation fails.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HostMessage>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve({
          type: 'result',
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.fn.definition.timeout}.00 seconds`,
          },
        });
      }, timeoutMs);
    });
    try {
      const message = await Promise.race([answered, timedOut]);
      return { message, ms: performance.now() - started, cold };
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  stop(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

/**
 * The Lambda service for the suite: runs each function's bundle as deployed, in its own child
 * process(es), started on first invocation and kept warm; a second concurrent invocation of a busy
 * function gets a second environment, as Lambda scales. Everything a function prints is its log.
 */
export class LambdaService {
  /** Outbound connections the functions attempted and the guard refused. */
  readonly refusedEgress: RefusedEgress[] = [];
  private readonly logs = new Map<string, string[]>();
  private readonly environments = new Map<string, ExecutionEnvironment[]>();
  private readonly byArnOrName = new Map<string, HostedFunction>();
  private readonly waiting = new Map<string, ((environment: ExecutionEnvironment) => void)[]>();
  /** Cold starts per function name. */
  readonly coldStarts = new Map<string, number>();
  /** Invocations that fail as an unhandled error would, by function name (see {@link injectFault}). */
  private readonly faults = new Map<string, (event: unknown) => boolean>();
  /** How long each cold start took, from fork to the handler module loaded (Lambda's Init phase). */
  readonly initTimes: { readonly functionName: string; readonly ms: number }[] = [];
  /**
   * How long each invocation ran in its environment (Lambda's REPORT `Duration`, without Init);
   * `cold` marks an environment's first invocation.
   */
  readonly invocationTimes: { readonly functionName: string; readonly ms: number; readonly cold: boolean }[] =
    [];

  constructor(
    functions: readonly HostedFunction[],
    private readonly runtime: LambdaRuntimeOptions,
  ) {
    for (const fn of functions) {
      this.byArnOrName.set(fn.definition.functionArn, fn);
      this.byArnOrName.set(fn.definition.functionName, fn);
      this.byArnOrName.set(fn.definition.logicalId, fn);
    }
  }

  /** The function with this ARN, name or logical id. @throws Error when the template has none */
  function(ref: string): HostedFunction {
    // Step Functions may name a qualified ARN (`…:function:name:$LATEST`).
    const fn = this.byArnOrName.get(ref) ?? this.byArnOrName.get(ref.replace(/:(\$LATEST|\d+)$/, ''));
    if (!fn) throw new Error(`no Lambda function ${ref} in the template`);
    return fn;
  }

  /** Everything `ref` (ARN, name or logical id) printed so far, START/END/REPORT lines included. */
  logOf(ref: string): string {
    return (this.logs.get(this.function(ref).definition.functionName) ?? []).join('');
  }

  /** Every function's log, by function name. */
  allLogs(): ReadonlyMap<string, string> {
    return new Map([...this.logs].map(([name, lines]) => [name, lines.join('')]));
  }

  /**
   * Invokes a function synchronously (`RequestResponse`) with a JSON event.
   * @throws LambdaInvokeError when the function fails (unhandled error, init error or timeout)
   */
  async invoke(ref: string, event: unknown): Promise<unknown> {
    const fn = this.function(ref);
    const name = fn.definition.functionName;
    if (this.faults.get(name)?.(event)) {
      this.append(name, `injected fault: invocation failed before the handler ran\n`);
      throw new LambdaInvokeError(name, 'InjectedFault', 'injected by the test suite');
    }
    const environment = await this.acquire(fn);
    const requestId = randomUUID();
    this.append(name, `START RequestId: ${requestId} Version: $LATEST\n`);
    let ran: { ms: number; cold: boolean } | undefined;
    try {
      // A JSON round trip, as the event and result cross the Lambda service.
      const { message, ...time } = await environment.invoke(JSON.parse(JSON.stringify(event)), requestId);
      ran = time;
      this.invocationTimes.push({ functionName: name, ...time });
      if (message.error)
        throw new LambdaInvokeError(name, message.error.errorType, message.error.errorMessage);
      return message.result;
    } finally {
      this.release(name, environment);
      this.append(name, `END RequestId: ${requestId}\n`);
      const duration = ran ? `\tDuration: ${ran.ms.toFixed(2)} ms` : '';
      this.append(name, `REPORT RequestId: ${requestId}${duration}\n`);
    }
  }

  /**
   * Fault injection: every invocation of `ref` whose event matches `when` fails as an unhandled
   * error would (what Lambda reports for a crashing function), until the returned function is called.
   */
  injectFault(ref: string, when: (event: unknown) => boolean): () => void {
    const name = this.function(ref).definition.functionName;
    this.faults.set(name, when);
    return () => this.faults.delete(name);
  }

  /** One line on the cold starts so far, for the suite's progress output. */
  coldStartSummary(): string {
    const total = this.initTimes.reduce((sum, init) => sum + init.ms, 0);
    const slowest = this.initTimes.reduce<(typeof this.initTimes)[number] | undefined>(
      (max, init) => (!max || init.ms > max.ms ? init : max),
      undefined,
    );
    return (
      `${this.initTimes.length} cold starts of ${this.coldStarts.size} functions, ${(total / 1000).toFixed(1)} s in Init` +
      (slowest ? `, slowest ${slowest.ms.toFixed(0)} ms (${slowest.functionName})` : '')
    );
  }

  /** Writes each function's log to `<dir>/<function name>.log`. */
  writeLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [name, log] of this.allLogs()) writeFileSync(join(dir, `${name}.log`), log);
  }

  /** Stops every execution environment. */
  stop(): void {
    for (const list of this.environments.values()) for (const environment of list) environment.stop();
    this.environments.clear();
  }

  /** An idle environment of the function, a new one while under the cap, else the next one freed. */
  private async acquire(fn: HostedFunction): Promise<ExecutionEnvironment> {
    const name = fn.definition.functionName;
    const list = (this.environments.get(name) ?? []).filter((environment) => environment.alive);
    this.environments.set(name, list);
    let environment = list.find((candidate) => !candidate.busy);
    if (!environment && list.length < (this.runtime.maxEnvironmentsPerFunction ?? 2)) {
      environment = this.start(fn);
      list.push(environment);
    }
    if (!environment) {
      const queue = this.waiting.get(name) ?? [];
      this.waiting.set(name, queue);
      environment = await new Promise<ExecutionEnvironment>((resolve) => queue.push(resolve));
    }
    environment.busy = true;
    return environment;
  }

  /** Hands a finished environment to the next queued invocation, or marks it idle. */
  private release(name: string, environment: ExecutionEnvironment): void {
    environment.busy = false;
    const next = this.waiting.get(name)?.shift();
    if (!next) return;
    // A dead environment (timed out, crashed) is replaced for the waiter.
    if (environment.alive) next(environment);
    else void this.acquire(this.function(name)).then(next);
  }

  private start(fn: HostedFunction): ExecutionEnvironment {
    const name = fn.definition.functionName;
    this.coldStarts.set(name, (this.coldStarts.get(name) ?? 0) + 1);
    const child = fork(HOST_SCRIPT, [LOG_MARKER], {
      execPath: this.runtime.nodeExecPath,
      execArgv: ['--require', NETWORK_GUARD],
      cwd: fn.taskRoot,
      env: this.environmentOf(fn),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const forked = performance.now();
    child.once('message', (message: HostMessage) => {
      if (message.type === 'ready')
        this.initTimes.push({ functionName: name, ms: performance.now() - forked });
    });
    return new ExecutionEnvironment(
      fn,
      child,
      (text) => this.append(name, text),
      (egress) => this.refusedEgress.push(egress),
    );
  }

  /** The template's variables, then what Lambda itself sets, then the suite's documented overrides. */
  private environmentOf(fn: HostedFunction): NodeJS.ProcessEnv {
    const { definition, credentials } = fn;
    const { region } = this.runtime;
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const endpoints = Object.fromEntries(
      Object.entries(this.runtime.endpoints).map(([service, url]) => [`AWS_ENDPOINT_URL_${service}`, url]),
    );
    return {
      ...fn.environment,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      _HANDLER: definition.handler,
      LAMBDA_TASK_ROOT: fn.taskRoot,
      LAMBDA_RUNTIME_DIR: join(__dirname, 'lambda-runtime'),
      NODE_PATH: this.runtime.sdkNodePath,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      ...endpoints,
      ...this.runtime.overrides,
    };
  }

  private append(name: string, chunk: string): void {
    const lines = this.logs.get(name) ?? [];
    lines.push(chunk);
    this.logs.set(name, lines);
  }
}
