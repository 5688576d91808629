import ivm from 'isolated-vm';
import { BUNDLE_GLOBAL } from '@townesdev/plugin-contract';
import { GUEST_RUNTIME_SOURCE } from './guest/runtime-source.ts';
import { checkGuestCalls, checkGuestResults, checkHandlerNames, runtimeSubverted } from './guest-results.ts';
import { SandboxFault, classifyIsolateError } from './sandbox-fault.ts';


/**
 * The host side of the guest's calls, each answered with a short string. `act` and `log` are
 * called synchronously from inside the isolate; storage calls are queued there and answered in
 * rounds by `run`.
 */
export interface GuestBridge {
  kv(seq: number, op: string, key: string, value: string, opId: string): string;
  act(seq: number, type: string, json: string): string;
  log(seq: number, level: string, message: string, data: string): void;
}

export interface PluginIsolateOptions {
  code: string;
  filename: string;
  memoryMb: number;
  permissions: readonly string[];
  /** Time allowed for the bundle's top-level code and init. */
  loadTimeoutMs: number;
  bridge: GuestBridge;
}

/** What one call into the guest brings; see `push` in the guest runtime for the layout. */
export interface GuestInput {
  /** [guildId, config JSON] pairs, flattened. */
  configs: string[];
  retries: string[];
  abandon: number[];
  /** [seq, kind, name, guildId, payload JSON] per item, flattened. */
  items: Array<string | number>;
}

export interface HandlerNames {
  events: string[];
  commands: string[];
  migrations: string[];
}

/**
 * One isolate running one plugin version. It owns nothing but the V8 heap: guild state, storage
 * and scheduling live in the SandboxHost. Any fault (timeout, memory, crash) leaves the isolate
 * unusable by contract: the host disposes it and builds a fresh one.
 */
export class PluginIsolate {
  readonly handlers: HandlerNames;
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #bridge: GuestBridge;
  readonly #push: ivm.Reference;
  readonly #takeCalls: ivm.Reference;
  readonly #answer: ivm.Reference;
  readonly #collect: ivm.Reference;
  readonly #forget: ivm.Reference;
  readonly #releaseMemory: ivm.Reference;

  constructor(options: PluginIsolateOptions) {
    this.#isolate = new ivm.Isolate({ memoryLimit: options.memoryMb });
    try {
      this.#context = this.#isolate.createContextSync();
      const { bridge } = options;
      this.#bridge = bridge;
      const hostObject = new ivm.ExternalCopy({}).copyInto();
      this.#context.global.setSync('__townesHost', hostObject);
      const hostRef = this.#context.global.getSync('__townesHost', { reference: true }) as ivm.Reference;
      hostRef.setSync('act', new ivm.Callback((seq: number, type: string, json: string) => bridge.act(seq, type, json)));
      hostRef.setSync('log', new ivm.Callback((seq: number, level: string, message: string, data: string) => bridge.log(seq, level, message, data)));
      const runtime = this.#isolate.compileScriptSync(GUEST_RUNTIME_SOURCE, { filename: 'townes:runtime' }).runSync(this.#context, { reference: true, timeout: options.loadTimeoutMs }) as ivm.Reference;
      this.#push = runtime.getSync('push', { reference: true }) as ivm.Reference;
      this.#takeCalls = runtime.getSync('takeCalls', { reference: true }) as ivm.Reference;
      this.#answer = runtime.getSync('answer', { reference: true }) as ivm.Reference;
      this.#collect = runtime.getSync('collect', { reference: true }) as ivm.Reference;
      this.#forget = runtime.getSync('forget', { reference: true }) as ivm.Reference;
      this.#releaseMemory = runtime.getSync('releaseMemory', { reference: true }) as ivm.Reference;
      const init = runtime.getSync('init', { reference: true }) as ivm.Reference;
      this.#guard(() => this.#isolate.compileScriptSync(options.code, { filename: options.filename }).runSync(this.#context, { timeout: options.loadTimeoutMs }));
      const names: unknown = this.#guard(() => init.applySync(undefined, [BUNDLE_GLOBAL, JSON.stringify(options.permissions)], { timeout: options.loadTimeoutMs }), true);
      this.handlers = checkHandlerNames(names);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * Run a call into the isolate, translating limits and crashes into SandboxFaults. With `guest`,
   * the call enters the guest runtime, which never throws by itself: whatever it throws was
   * caused by the plugin (a tampered builtin the runtime still relies on) and is a fault too,
   * never an exception that would take the sandbox host process down.
   */
  #guard<T>(fn: () => T, guest = false, cpuSince = process.threadCpuUsage()): T {
    try {
      return fn();
    } catch (error) {
      const fault = error instanceof SandboxFault ? error : classifyIsolateError(error, this.#isolate.isDisposed);
      if (fault?.kind === 'cpu-limit') {
        // isolated-vm's timeout counts wall time (and so does its isolate.cpuTime); keep the CPU
        // time really used, so a call cut short because the machine was busy is not blamed.
        // A sync call runs the isolate on this thread, so this thread's CPU time is the plugin's.
        const used = process.threadCpuUsage(cpuSince);
        throw new SandboxFault('cpu-limit', fault.message, (used.user + used.system) / 1000);
      }
      if (fault) throw fault;
      if (guest) throw runtimeSubverted(error instanceof Error ? error.message : 'it threw a non-error value');
      throw error;
    }
  }

  /**
   * Hand the guest new items, configs and retries, then answer the storage calls they make, round
   * after round, until none is left (microtasks run before each call into the isolate returns).
   * The rounds share one time budget; a round's calls are answered by the bridge outside the
   * isolate, so a batch of items enters it a few times instead of twice per storage call.
   *
   * The lists are copied into the isolate's heap as they are (isolated-vm serialises them). A
   * single JSON text would not be: a string of 1 KB or more crosses as an external string whose
   * buffer lives outside the heap until the isolate's next full collection, so a busy plugin's
   * inputs piled up in the host's malloc heap between collections (under a steady load a host's
   * RSS climbed from about 95 to 240-270 MB, and every page of it faulted in again after each
   * collection).
   */
  run(input: GuestInput, timeoutMs: number): void {
    const cpuSince = process.threadCpuUsage();
    const deadline = performance.now() + timeoutMs;
    const timeLeft = () => {
      const left = deadline - performance.now();
      if (left < 1) throw new SandboxFault('cpu-limit', 'the plugin exceeded its CPU time limit');
      return Math.floor(left); // isolated-vm takes whole milliseconds
    };
    this.#guard(() => this.#push.applySync(undefined, [input.configs, input.retries, input.abandon, input.items], { timeout: timeoutMs, arguments: { copy: true } }), true, cpuSince);
    for (;;) {
      const calls = this.#guard(() => checkGuestCalls(this.#takeCalls.applySync(undefined, [], { timeout: timeLeft(), result: { copy: true } })), true, cpuSince);
      if (calls.length === 0) return;
      const answers: string[] = [];
      for (const [seq, op, key, value, opId] of calls) answers.push(this.#bridge.kv(seq, op, key, value, opId));
      this.#guard(() => this.#answer.applySync(undefined, [answers], { timeout: timeLeft(), arguments: { copy: true } }), true, cpuSince);
    }
  }

  /** Settled items since the last collect: [seq, ok(1|0), json][] */
  collect(timeoutMs: number, maxItems: number): Array<[number, 0 | 1, string]> {
    return checkGuestResults(this.#guard(() => this.#collect.applySync(undefined, [], { timeout: timeoutMs }), true), maxItems);
  }

  forgetGuild(guildId: string): void {
    this.#guard(() => this.#forget.applySync(undefined, [guildId], { timeout: 50 }));
  }

  get disposed(): boolean {
    return this.#isolate.isDisposed;
  }

  /** Collect this isolate's garbage and give the pages back (nothing where the host runs without --expose-gc). */
  releaseMemory(): void {
    this.#guard(() => this.#releaseMemory.applySync(undefined, [], { timeout: 1000 }), true);
  }

  heapUsedBytes(): number {
    if (this.#isolate.isDisposed) return 0;
    const s = this.#isolate.getHeapStatisticsSync();
    return s.used_heap_size + s.externally_allocated_size;
  }

  dispose(): void {
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }
}

