// Request fields that could steer the upstream (api_base, base_url, extra_headers) are refused
// with 400 before anything is sent to a provider.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { PROVIDER_KEY, expectError, gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

describe('steering fields refused', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm();
    sluice = await startSluice(
      gatewayConfig({
        providers: [{ name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/f'), api_key: PROVIDER_KEY }],
        models: [{ name: 'e2e-guarded', deployments: [{ provider: 'fake', model: 'fake-guarded' }] }],
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  const cases = [
    ['api_base', { api_base: `http://127.0.0.1:9/evil/v1` }],
    ['base_url', { base_url: `http://127.0.0.1:9/evil/v1` }],
    ['extra_headers', { extra_headers: { 'x-evil': '1', authorization: 'Bearer sk-stolen' } }],
  ];

  for (const [field, extra] of cases) {
    test(`a chat request carrying ${field} is a 400 and reaches no provider`, { timeout: 30_000 }, async () => {
      await fake.clear();
      // Steering at fake-llm itself too, so a leak would show in its log whichever way it went.
      const steer = field === 'extra_headers' ? extra : { [field]: fake.apiBase('/evil') };
      const error = await expectError(
        () => client.chat.completions.create({ model: 'e2e-guarded', messages: [{ role: 'user', content: 'hi' }], ...steer }),
        field,
      );
      assert.ok(error instanceof OpenAI.BadRequestError, `BadRequestError expected, got ${error?.constructor?.name}: ${error}`);
      assert.equal(error.status, 400);
      assert.ok(String(error.error?.message).includes(field), `the message names ${field}: ${error.error?.message}`);
      const all = await fake.requests();
      assert.deepEqual(all, [], 'nothing reached fake-llm');
    });
  }

  test('embeddings carrying api_base are refused too', { timeout: 30_000 }, async () => {
    await fake.clear();
    const error = await expectError(
      () => client.embeddings.create({ model: 'e2e-guarded', input: 'x', api_base: fake.apiBase('/evil') }),
      'embeddings api_base',
    );
    assert.ok(error instanceof OpenAI.BadRequestError, `BadRequestError expected, got ${error?.constructor?.name}: ${error}`);
    assert.deepEqual(await fake.requests(), [], 'nothing reached fake-llm');
    // And the same gateway still serves a clean request.
    const ok = await client.chat.completions.create({ model: 'e2e-guarded', messages: [{ role: 'user', content: 'clean' }] });
    assert.equal(ok.choices[0].message.content, 'Echo: clean');
    sluice.assertAlive();
  });
});
