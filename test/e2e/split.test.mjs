// Weighted traffic split: one model, two deployments with weights 3:1 behind different api_base
// prefixes of one fake-llm; 2 000 SDK requests, 32 at a time; the fake's request log counts them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PROVIDER_KEY, gatewayConfig, runPool, startFakeLlm, startSluice } from './harness.mjs';

const REQUESTS = 2000;
const CONCURRENCY = 32;

describe('weighted split', { timeout: 90_000 }, () => {
  let fake;
  let sluice;

  before(async () => {
    fake = await startFakeLlm();
    sluice = await startSluice(
      gatewayConfig({
        providers: [{ name: 'fake', type: 'openai_compatible', api_base: fake.apiBase(), api_key: PROVIDER_KEY }],
        models: [
          {
            name: 'e2e-split',
            deployments: [
              { provider: 'fake', model: 'fake-split-1', weight: 3, api_base: fake.apiBase('/d1') },
              { provider: 'fake', model: 'fake-split-2', weight: 1, api_base: fake.apiBase('/d2') },
            ],
          },
        ],
      }),
    );
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test(`${REQUESTS} requests split 3:1 between /d1 and /d2 (75 % +- 5 %)`, { timeout: 60_000 }, async () => {
    const client = sluice.client();
    await fake.clear();
    const results = await runPool(REQUESTS, CONCURRENCY, async (i) => {
      const completion = await client.chat.completions.create({
        model: 'e2e-split',
        messages: [{ role: 'user', content: `split ${i}` }],
      });
      return completion.choices[0].message.content === `Echo: split ${i}` && completion.model === 'e2e-split';
    });
    assert.equal(results.filter(Boolean).length, REQUESTS, 'every request answered correctly');

    const d1 = await fake.requests({ prefix: '/d1' });
    const d2 = await fake.requests({ prefix: '/d2' });
    assert.equal(d1.length + d2.length, REQUESTS, `every request reached /d1 or /d2 exactly once (d1 ${d1.length}, d2 ${d2.length})`);
    assert.ok(d1.every((e) => e.model === 'fake-split-1'), '/d1 got its own model id');
    assert.ok(d2.every((e) => e.model === 'fake-split-2'), '/d2 got its own model id');
    const share = d1.length / REQUESTS;
    assert.ok(Math.abs(share - 0.75) <= 0.05, `share of /d1 is ${(share * 100).toFixed(1)} % (d1 ${d1.length}, d2 ${d2.length})`);
    sluice.assertAlive();
  });
});
