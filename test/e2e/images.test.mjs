// The official OpenAI SDK sending an image by URL to an Anthropic-backed model: sluice fetches
// the image itself (fetch_image_urls, from fake-llm's image endpoint on 127.0.0.1, allowed by
// image_fetch_allow_private) and Anthropic's request carries it inline in base64; without
// image_fetch_allow_private the same loopback URL is refused with a 400 the SDK surfaces as a
// BadRequestError, and nothing reaches the provider.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

const ANTHROPIC_KEY = 'sk-ant-e2e-images-4e1a';

describe('image URLs fetched for an Anthropic deployment', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm({ args: ['--anthropic-key', ANTHROPIC_KEY] });
    const anthropic = (name, settings) => ({
      name,
      type: 'anthropic',
      api_base: `${fake.origin}/an`,
      api_key: ANTHROPIC_KEY,
      settings,
    });
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          anthropic('claude-internal', { fetch_image_urls: 'true', image_fetch_allow_private: 'true' }),
          anthropic('claude-public', { fetch_image_urls: 'true' }),
        ],
        models: [
          { name: 'e2e-vision', deployments: [{ provider: 'claude-internal', model: 'claude-3-5-sonnet-20241022' }] },
          { name: 'e2e-vision-public', deployments: [{ provider: 'claude-public', model: 'claude-3-5-sonnet-20241022' }] },
        ],
        route: { num_retries: 0 },
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  const askAbout = (model, url) =>
    client.chat.completions.create({
      model,
      max_tokens: 20,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is in this picture?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });

  test('the image reaches Anthropic inline, as the bytes fake-llm served', { timeout: 30_000 }, async () => {
    const url = `${fake.origin}/_fake/images/cat.png`;
    const since = await fake.lastSeq();
    const completion = await askAbout('e2e-vision', url);
    assert.equal(completion.model, 'e2e-vision');
    assert.equal(completion.choices[0].finish_reason, 'stop');

    const logged = await fake.requests({ since });
    const served = Buffer.from(await (await fetch(url)).arrayBuffer()); // after reading the log
    const images = logged.filter((request) => request.route === 'image');
    const messages = logged.filter((request) => request.route === 'messages');
    assert.equal(images.length, 1, 'sluice fetched the image once');
    assert.equal(messages.length, 1, 'one Anthropic request');
    const sent = JSON.parse(messages[0].body);
    assert.deepEqual(sent.messages[0].content[1], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: served.toString('base64') },
    });
    assert.equal(messages[0].headers['x-api-key'], ANTHROPIC_KEY);
    assert.equal(images[0].headers['x-api-key'], undefined, 'no credential goes with the fetch');
    assert.equal(images[0].headers.authorization, undefined);
  });

  test('without image_fetch_allow_private a loopback URL is a 400 and nothing is sent', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    await assert.rejects(askAbout('e2e-vision-public', `${fake.origin}/_fake/images/cat.png?secret=s3cr3t`), (error) => {
      assert.ok(error instanceof OpenAI.BadRequestError, `a BadRequestError, got ${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'image_fetch_failed');
      assert.match(error.message, /messages\[0\]\.content\[1\]\.image_url: cannot fetch http:\/\/127\.0\.0\.1:\d+\/_fake\/images\/cat\.png\?\.\.\./);
      assert.match(error.message, /private or internal address/);
      assert.doesNotMatch(error.message, /s3cr3t/);
      return true;
    });
    assert.deepEqual(await fake.requests({ since }), [], 'neither the image nor Anthropic was asked');
  });
});
