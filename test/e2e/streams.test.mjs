// Streams that do not end well: the client aborting mid-stream must reach the provider (fake-llm
// logs client_disconnected), and the provider resetting mid-stream must end the client's stream
// with an error, promptly and without a [DONE].

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { CLIENT_KEY, PROVIDER_KEY, eventually, gatewayConfig, startFakeLlm, startSluice, within } from './harness.mjs';

const WORDS = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

describe('streams', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm();
    sluice = await startSluice(
      gatewayConfig({
        providers: [{ name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/s'), api_key: PROVIDER_KEY }],
        models: [{ name: 'e2e-stream', deployments: [{ provider: 'fake', model: 'fake-stream' }] }],
        route: { num_retries: 2, backoff_base_ms: 50 },
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('a client abort mid-stream reaches the provider within 1 s', { timeout: 30_000 }, async (t) => {
    await fake.clear();
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: 'e2e-stream',
        messages: [{ role: 'user', content: `${WORDS} [[fake chunks=50 chunk_delay_ms=200]]` }],
        stream: true,
      },
      { signal: controller.signal },
    );
    let contentChunks = 0;
    let abortedAt = 0;
    await within(10_000, 'reading until the first content chunk', (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) {
          contentChunks++;
          abortedAt = Date.now();
          controller.abort();
        }
      }
    })());
    assert.equal(contentChunks, 1, 'the loop ended at the abort');

    const entry = await eventually(async () => {
      const [e] = await fake.requests({ prefix: '/s' });
      return e?.client_disconnected ? e : null;
    }, 1000);
    const seenAfter = Date.now() - abortedAt;
    if (entry) t.diagnostic(`client_disconnected seen ${seenAfter} ms after the abort (disconnected_after_ms ${entry.disconnected_after_ms}, chunks ${entry.chunks})`);
    const [last] = await fake.requests({ prefix: '/s' });
    assert.ok(entry, `fake-llm did not log client_disconnected within 1 s of the abort (entry now: ${JSON.stringify(last)})`);
    assert.ok(seenAfter <= 1500, `disconnect seen ${seenAfter} ms after the abort`);
    assert.equal(entry.completed, false);
    assert.ok(entry.chunks < 50, `the provider stopped sending (chunks ${entry.chunks})`);
    const requests = await fake.requests({ prefix: '/s' });
    assert.equal(requests.length, 1, 'the aborted request was not retried');
  });

  test('an upstream reset mid-stream ends the SDK stream with an error, without hanging', { timeout: 30_000 }, async (t) => {
    await fake.clear();
    const content = `one two three four five six seven eight nine ten eleven twelve [[fake fault=reset_mid_stream fault_after=2 chunks=10]]`;
    const stream = await client.chat.completions.create({
      model: 'e2e-stream',
      messages: [{ role: 'user', content }],
      stream: true,
    });
    const pieces = [];
    const finishes = [];
    const started = Date.now();
    let failure = null;
    try {
      await within(10_000, 'iterating a reset stream', (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
          if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
        }
      })());
    } catch (error) {
      failure = error;
    }
    t.diagnostic(`SDK: ${failure} after ${pieces.length} content chunk(s)`);
    assert.ok(failure, `the stream ended without an error after ${pieces.length} content chunks: ${JSON.stringify(pieces)}`);
    assert.ok(!/no outcome within/.test(failure.message), `the stream hung: ${failure.message}`);
    assert.ok(failure instanceof OpenAI.OpenAIError, `an SDK error expected, got ${failure?.constructor?.name}: ${failure}`);
    assert.ok(Date.now() - started < 5000, 'ended promptly');
    assert.equal(pieces.length, 2, 'the two chunks sent before the reset arrived');
    assert.deepEqual(finishes, [], 'no finish_reason');

    // The same on the wire: no [DONE] after a reset.
    await fake.clear();
    const response = await fetch(`${sluice.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ model: 'e2e-stream', messages: [{ role: 'user', content }], stream: true }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200);
    let raw = '';
    let readError = null;
    try {
      const decoder = new TextDecoder();
      for await (const bytes of response.body) raw += decoder.decode(bytes, { stream: true });
    } catch (error) {
      readError = error;
    }
    t.diagnostic(`raw: ${readError ? `read error ${readError}; ` : ''}last event: ${raw.trim().split('\n\n').pop()}`);
    assert.ok(!/TimeoutError|aborted due to timeout/.test(String(readError)), `the raw stream hung: ${readError}`);
    assert.ok(!raw.includes('[DONE]'), `[DONE] after an upstream reset:\n${raw}`);
    const upstream = await fake.requests({ prefix: '/s' });
    assert.equal(upstream.length, 1, 'a stream that already started is not retried');
    assert.equal(upstream[0].fault, 'reset_mid_stream');
    sluice.assertAlive();
  });
});
