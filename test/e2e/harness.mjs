// End-to-end harness: starts tools/fake-llm and sluice as child processes on free loopback ports,
// writes their config files into a temporary folder, and hands out `openai` SDK clients pointed at
// sluice. Every process it starts is killed when the test file ends, however it ends: by the
// test's own `after` hook (graceful stop), or by the process 'exit' / signal handlers below.
//
// Binaries come from $SLUICE_BUILD/bin (default build/release, relative to the repository root).

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import OpenAI from 'openai';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_DIR = path.resolve(REPO_ROOT, process.env.SLUICE_BUILD || 'build/release');
export const BIN_DIR = path.join(BUILD_DIR, 'bin');
export const SLUICE_BIN = path.join(BIN_DIR, 'sluice');
export const FAKE_LLM_BIN = path.join(BIN_DIR, 'fake-llm');

// The key clients present to sluice and the key sluice is configured to present upstream. They
// differ, so a request log that carries the client's key proves a leak.
export const CLIENT_KEY = 'sk-e2e-client-key-3f9a1c';
export const PROVIDER_KEY = 'sk-e2e-provider-key-7b2d4e';

// ---- process bookkeeping -----------------------------------------------------------------------

const children = new Set();

function killAllNow() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAllNow();
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

// A child process whose stdout and stderr are kept in memory (bounded) for failure messages.
class Child {
  constructor(name, file, args, env) {
    this.name = name;
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal} once it exited
    this.expectedExit = false;
    this.proc = spawn(file, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(this.proc);
    const keep = (field) => (chunk) => {
      this[field] += chunk.toString('utf8');
      if (this[field].length > 1 << 20) this[field] = this[field].slice(-(1 << 19));
    };
    this.proc.stdout.on('data', keep('stdout'));
    this.proc.stderr.on('data', keep('stderr'));
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        children.delete(this.proc);
        resolve(this.exit);
      });
      this.proc.on('error', (error) => {
        this.exit = { code: null, signal: null, error };
        children.delete(this.proc);
        resolve(this.exit);
      });
    });
  }

  get running() {
    return this.exit === null;
  }

  describeExit() {
    if (!this.exit) return 'still running';
    if (this.exit.error) return `failed to start: ${this.exit.error.message}`;
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exited with ${this.exit.code}`;
  }

  // SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit.
  async stop(graceMs = 3000) {
    this.expectedExit = true;
    if (!this.running) return this.exit;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  // Throws when the process died on its own (a crash during the tests is a failure by itself).
  assertAlive() {
    if (!this.running && !this.expectedExit) {
      throw new Error(`${this.name} ${this.describeExit()} during the tests; stderr:\n${this.stderr}`);
    }
  }
}

// ---- small helpers -----------------------------------------------------------------------------

// A port that was free a moment ago: bound on 127.0.0.1 with port 0, then closed.
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function distinctFreePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function canConnect(port, timeoutMs = 200) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// Rejects with `what` when `promise` does not settle within `ms`.
export async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Polls `probe` (async, returns a truthy value when done) every `everyMs` until `timeoutMs`.
// Returns the last value (falsy when the deadline passed).
export async function eventually(probe, timeoutMs, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await sleep(everyMs);
  }
}

let tempCounter = 0;
export function makeTempDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sluice-e2e-${tag}-${process.pid}-${tempCounter++}-`));
}

function assertBinaries() {
  for (const file of [SLUICE_BIN, FAKE_LLM_BIN]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: build first (tools/build.sh release) or set SLUICE_BUILD`);
    }
  }
}

// ---- fake-llm ----------------------------------------------------------------------------------

export class FakeLlm {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.origin = `http://127.0.0.1:${port}`;
  }

  // The OpenAI base URL of the deployment with this prefix ('' for none), e.g. .../d1/v1.
  apiBase(prefix = '') {
    return `${this.origin}${prefix}/v1`;
  }

  async control(method, pathAndQuery, body) {
    const response = await fetch(`${this.origin}${pathAndQuery}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fake-llm ${method} ${pathAndQuery}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // The request log (oldest first), optionally only one prefix's entries or only those after `since`.
  async requests({ prefix, since } = {}) {
    const query = new URLSearchParams();
    if (prefix !== undefined) query.set('prefix', prefix);
    if (since !== undefined) query.set('since', String(since));
    const q = query.toString();
    const body = await this.control('GET', `/_fake/requests${q ? `?${q}` : ''}`);
    return body.requests;
  }

  // The last sequence number handed out so far (0 when the log is empty).
  async lastSeq() {
    const all = await this.requests();
    return all.length ? all[all.length - 1].seq : 0;
  }

  // Queues programmed answers for the requests under `prefix`.
  program(responses, prefix) {
    return this.control('POST', '/_fake/program', prefix === undefined ? { responses } : { responses, prefix });
  }

  // Clears the request log and the program queue.
  clear() {
    return this.control('DELETE', '/_fake/requests');
  }

  // Stops fake-llm; throws when it had died on its own before.
  async stop() {
    const crash = this.child.running ? null : this.child.describeExit();
    const wasExpected = this.child.expectedExit;
    await this.child.stop();
    if (crash && !wasExpected) throw new Error(`fake-llm ${crash} during the tests; stderr:\n${this.child.stderr}`);
  }
}

export async function startFakeLlm({ args = [], timeoutMs = 10_000 } = {}) {
  assertBinaries();
  const child = new Child('fake-llm', FAKE_LLM_BIN, ['--host', '127.0.0.1', '--port', '0', ...args], {});
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /^listening 127\.0\.0\.1:(\d+)$/m.exec(child.stdout);
    if (match) return new FakeLlm(child, Number(match[1]));
    if (!child.running) {
      throw new Error(`fake-llm ${child.describeExit()} before listening; stderr:\n${child.stderr}`);
    }
    if (Date.now() >= deadline) {
      await child.stop(500);
      throw new Error(`fake-llm did not print its listening line within ${timeoutMs} ms; stderr:\n${child.stderr}`);
    }
    await sleep(10);
  }
}

// ---- sluice ------------------------------------------------------------------------------------

export class Sluice {
  constructor(child, { port, adminPort, dir, configPath }) {
    this.child = child;
    this.port = port;
    this.adminPort = adminPort;
    this.dir = dir;
    this.configPath = configPath;
    this.origin = `http://127.0.0.1:${port}`;
    this.baseURL = `${this.origin}/v1`;
  }

  // An SDK client for this gateway. maxRetries 0: only sluice retries.
  client(options = {}) {
    return new OpenAI({
      apiKey: CLIENT_KEY,
      baseURL: this.baseURL,
      maxRetries: 0,
      timeout: 20_000,
      ...options,
    });
  }

  get stderr() {
    return this.child.stderr;
  }

  assertAlive() {
    this.child.assertAlive();
  }

  // Stops sluice; throws when it had died on its own before (a crash during the tests).
  async stop() {
    const crash = this.child.running ? null : this.child.describeExit();
    const wasExpected = this.child.expectedExit;
    await this.child.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (crash && !wasExpected) throw new Error(`sluice ${crash} during the tests; stderr:\n${this.child.stderr}`);
  }
}

// The gateway config every test file starts from: one listener, the admin listener, a few
// workers, the route -> translate -> log chain of config/quickstart.yaml. `models` and `providers` as in bootstrap.proto.
export function gatewayConfig({ providers, models, route = {}, workers = 2, extra = {} }) {
  return {
    workers,
    providers,
    models,
    chains: [
      {
        name: 'e2e',
        match: { path_prefix: '/' },
        filters: [
          { type: 'log' },
          { type: 'route', config: route },
          { type: 'translate' },
        ],
      },
    ],
    ...extra,
  };
}

// Starts `sluice run -c <file>`. `config` is either an object (rendered as JSON, which is YAML;
// listeners and admin are filled in with free ports) or the text of a file (then `args` should
// carry --port, and `adminPort` say which admin port the file implies, if any to wait for).
export async function startSluice(config, { args = [], env = {}, fileName = 'sluice.yaml', timeoutMs = 15_000, adminPort } = {}) {
  assertBinaries();
  const dir = makeTempDir('sluice');
  const configPath = path.join(dir, fileName);
  let port;
  if (typeof config === 'string') {
    port = await freePort();
    fs.writeFileSync(configPath, config);
    args = [...args, '--port', String(port)];
  } else {
    [port, adminPort] = await distinctFreePorts(2);
    const full = {
      listeners: [{ name: 'e2e', address: '127.0.0.1', port }],
      admin: { address: '127.0.0.1', port: adminPort },
      ...config,
    };
    fs.writeFileSync(configPath, `${JSON.stringify(full, null, 2)}\n`);
  }
  const child = new Child('sluice', SLUICE_BIN, ['run', '-c', configPath, ...args], env);
  const deadline = Date.now() + timeoutMs;
  let portReady = false;
  let adminReady = !adminPort;
  while (!(portReady && adminReady)) {
    if (!child.running || Date.now() >= deadline) {
      const what = child.running
        ? `did not serve on port ${port}${adminPort ? ` (admin ${adminPort})` : ''} within ${timeoutMs} ms`
        : `${child.describeExit()} before serving`;
      await child.stop(500);
      const text = fs.readFileSync(configPath, 'utf8');
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`sluice ${what}; stderr:\n${child.stderr}\nconfig ${configPath}:\n${text}`);
    }
    if (!portReady) portReady = await canConnect(port);
    if (portReady && !adminReady) {
      try {
        const response = await fetch(`http://127.0.0.1:${adminPort}/health/readiness`, {
          signal: AbortSignal.timeout(500),
        });
        await response.arrayBuffer();
        adminReady = response.status === 200;
      } catch {
        // not yet
      }
    }
    if (!(portReady && adminReady)) await sleep(20);
  }
  return new Sluice(child, { port, adminPort, dir, configPath });
}

// Runs `sluice <args>` to completion (bounded). Returns {code, signal, stdout, stderr}.
export function runSluiceCommand(args, { timeoutMs = 20_000, env = {} } = {}) {
  assertBinaries();
  const result = spawnSync(SLUICE_BIN, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    error: result.error,
  };
}

// ---- request helpers ---------------------------------------------------------------------------

// Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; resolves with results.
export async function runPool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

// Calls `fn` expecting it to throw; returns the error (fails when it resolves).
export async function expectError(fn, what) {
  try {
    const value = await fn();
    throw Object.assign(new Error(`${what}: expected an error, got ${JSON.stringify(value)?.slice(0, 500)}`), {
      notThrown: true,
    });
  } catch (error) {
    if (error?.notThrown) throw error;
    return error;
  }
}
