// Upstream errors through the SDK: a 429 followed by a success is retried by sluice without the
// client noticing; a persistent 500 or 429 surfaces as the SDK's typed error carrying the
// provider's OpenAI error message. The SDK itself never retries (maxRetries 0).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { PROVIDER_KEY, expectError, gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

const NUM_RETRIES = 2;
const FAKE_500_MESSAGE = 'The server had an error while processing your request. Sorry about that! (fake-llm injected 500)';
const FAKE_429_MESSAGE = 'Rate limit reached for requests (fake-llm injected 429). Please try again later.';

describe('retries', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm();
    sluice = await startSluice(
      gatewayConfig({
        providers: [{ name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/r'), api_key: PROVIDER_KEY }],
        models: [{ name: 'e2e-retry', deployments: [{ provider: 'fake', model: 'fake-retry' }] }],
        route: { num_retries: NUM_RETRIES, backoff_base_ms: 50 },
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('an upstream 429 then a success is retried transparently', { timeout: 30_000 }, async () => {
    await fake.clear();
    await fake.program([{ status: 429 }, {}], '/r');
    const completion = await client.chat.completions.create({
      model: 'e2e-retry',
      messages: [{ role: 'user', content: 'retry me' }],
    });
    assert.equal(completion.choices[0].message.content, 'Echo: retry me');
    assert.equal(completion.model, 'e2e-retry');

    const upstream = await fake.requests({ prefix: '/r' });
    assert.deepEqual(
      upstream.map((e) => ({ status: e.status, programmed: e.programmed })),
      [
        { status: 429, programmed: true },
        { status: 200, programmed: true },
      ],
    );
  });

  test('a persistent 500 surfaces as InternalServerError with the upstream message', { timeout: 30_000 }, async () => {
    await fake.clear();
    const error = await expectError(
      () => client.chat.completions.create({ model: 'e2e-retry', messages: [{ role: 'user', content: 'fail [[fake status=500]]' }] }),
      'persistent 500',
    );
    assert.ok(error instanceof OpenAI.InternalServerError, `InternalServerError expected, got ${error?.constructor?.name}: ${error}`);
    assert.equal(error.status, 500);
    assert.equal(error.error?.message, FAKE_500_MESSAGE);
    assert.equal(error.message, `500 ${FAKE_500_MESSAGE}`);
    assert.equal(error.type, 'server_error');

    const upstream = await fake.requests({ prefix: '/r' });
    assert.equal(upstream.length, NUM_RETRIES + 1, 'one attempt plus num_retries retries');
    assert.ok(upstream.every((e) => e.status === 500));
  });

  test('a persistent 429 surfaces as RateLimitError with the upstream message', { timeout: 30_000 }, async () => {
    await fake.clear();
    await fake.program(Array.from({ length: NUM_RETRIES + 1 }, () => ({ status: 429 })), '/r');
    const error = await expectError(
      () => client.chat.completions.create({ model: 'e2e-retry', messages: [{ role: 'user', content: 'throttled' }] }),
      'persistent 429',
    );
    assert.ok(error instanceof OpenAI.RateLimitError, `RateLimitError expected, got ${error?.constructor?.name}: ${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.error?.message, FAKE_429_MESSAGE);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'rate_limit_error');

    const upstream = await fake.requests({ prefix: '/r' });
    assert.equal(upstream.length, NUM_RETRIES + 1, 'one attempt plus num_retries retries');
    assert.ok(upstream.every((e) => e.status === 429));
  });

  test('a streamed request is retried on 429 before its first byte', { timeout: 30_000 }, async () => {
    await fake.clear();
    await fake.program([{ status: 429 }, {}], '/r');
    const stream = await client.chat.completions.create({
      model: 'e2e-retry',
      messages: [{ role: 'user', content: 'stream after retry' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Echo: stream after retry');
    const upstream = await fake.requests({ prefix: '/r' });
    assert.deepEqual(upstream.map((e) => e.status), [429, 200]);
    sluice.assertAlive();
  });
});
