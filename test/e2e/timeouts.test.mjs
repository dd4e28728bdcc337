// Upstream timeouts and connect failures, per deployment: a provider slower than first_byte_ms,
// a stream silent for longer than idle_ms, and a deployment whose port is closed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { PROVIDER_KEY, expectError, freePort, gatewayConfig, startFakeLlm, startSluice, within } from './harness.mjs';

const NUM_RETRIES = 1;
const WORDS = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');

describe('timeouts', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm();
    const closedPort = await freePort();
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          { name: 'fake', type: 'openai_compatible', api_base: fake.apiBase(), api_key: PROVIDER_KEY },
          { name: 'nowhere', type: 'openai_compatible', api_base: `http://127.0.0.1:${closedPort}/v1`, api_key: PROVIDER_KEY },
        ],
        models: [
          {
            name: 'e2e-first-byte',
            deployments: [{ provider: 'fake', model: 'fake-fb', api_base: fake.apiBase('/t1'), timeouts: { first_byte_ms: 300 } }],
          },
          {
            name: 'e2e-idle',
            deployments: [{ provider: 'fake', model: 'fake-idle', api_base: fake.apiBase('/t2'), timeouts: { idle_ms: 300 } }],
          },
          {
            name: 'e2e-closed',
            deployments: [{ provider: 'nowhere', model: 'nothing', timeouts: { connect_ms: 1000 } }],
          },
        ],
        route: { num_retries: NUM_RETRIES, backoff_base_ms: 20 },
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('first_byte_ms 300 against a provider that waits 2 s: a gateway error well under 2 s', { timeout: 30_000 }, async (t) => {
    await fake.clear();
    const started = Date.now();
    const error = await expectError(
      () =>
        within(10_000, 'first-byte timeout', client.chat.completions.create({
          model: 'e2e-first-byte',
          messages: [{ role: 'user', content: 'slow [[fake delay_ms=2000]]' }],
        })),
      'first-byte timeout',
    );
    const elapsed = Date.now() - started;
    t.diagnostic(`after ${elapsed} ms: ${error}`);
    assert.ok(error instanceof OpenAI.APIError, `an APIError expected, got ${error?.constructor?.name}: ${error}`);
    // What sluice answers today: 502 naming the attempts and the timeout (504 would also be a
    // gateway timeout; the test pins the product's current answer).
    assert.equal(error.status, 502, `status ${error.status}: ${error.message}`);
    assert.match(error.error?.message ?? '', new RegExp(`after ${NUM_RETRIES + 1} attempt\\(s\\)`));
    assert.ok(elapsed < 1500, `took ${elapsed} ms: (num_retries+1) x 300 ms plus back-off expected`);
    const upstream = await fake.requests({ prefix: '/t1' });
    assert.equal(upstream.length, NUM_RETRIES + 1, 'each attempt reached the provider');
  });

  test('idle_ms 300 between chunks 1.5 s apart ends the stream with an error', { timeout: 30_000 }, async (t) => {
    await fake.clear();
    const started = Date.now();
    const stream = await client.chat.completions.create({
      model: 'e2e-idle',
      messages: [{ role: 'user', content: `${WORDS} [[fake chunk_delay_ms=1500]]` }],
      stream: true,
    });
    const pieces = [];
    let failure = null;
    try {
      await within(10_000, 'idle stream', (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
        }
      })());
    } catch (error) {
      failure = error;
    }
    const elapsed = Date.now() - started;
    t.diagnostic(`after ${elapsed} ms and ${pieces.length} chunk(s): ${failure}`);
    assert.ok(failure, `the stream ended without an error after ${pieces.length} chunks in ${elapsed} ms`);
    assert.ok(!/no outcome within/.test(failure.message), `the stream hung: ${failure.message}`);
    assert.ok(failure instanceof OpenAI.OpenAIError, `an SDK error expected, got ${failure?.constructor?.name}: ${failure}`);
    assert.equal(pieces.length, 1, 'the first content chunk (sent with the head) arrived, then silence');
    assert.ok(elapsed < 1400, `ended ${elapsed} ms after the start: before the second chunk was due`);
    const upstream = await fake.requests({ prefix: '/t2' });
    assert.equal(upstream.length, 1, 'a stream that already started is not retried');
  });

  test('a deployment on a closed port: 502 after the retries', { timeout: 30_000 }, async (t) => {
    const error = await expectError(
      () =>
        within(15_000, 'connect failure', client.chat.completions.create({
          model: 'e2e-closed',
          messages: [{ role: 'user', content: 'anyone there' }],
        })),
      'connect failure',
    );
    t.diagnostic(String(error));
    assert.ok(error instanceof OpenAI.InternalServerError, `InternalServerError expected, got ${error?.constructor?.name}: ${error}`);
    assert.equal(error.status, 502);
    assert.match(error.error?.message ?? '', new RegExp(`after ${NUM_RETRIES + 1} attempt\\(s\\)`));
    sluice.assertAlive();
  });
});
