// A LiteLLM proxy config.yaml served as it is: `sluice run -c litellm.yaml --port N`, then the SDK
// against it (there is no flag for the admin listener: it keeps its default 127.0.0.1:9901, and
// sluice serves on when that port is taken). Also `sluice validate -c` on the real LiteLLM files
// users bring (AWS's guidance), kept in the repository as byte-for-byte copies of
// ../shared/litellm-configs so the test runs wherever the clone is.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import OpenAI from 'openai';

import { REPO_ROOT, expectError, runSluiceCommand, startFakeLlm, startSluice } from './harness.mjs';

const LITE_KEY_A = 'sk-e2e-litellm-key-a-91c2';
const LITE_KEY_B = 'sk-e2e-litellm-key-b-4d07';
const NUM_RETRIES = 1;
const LITELLM_CONFIGS = path.join(REPO_ROOT, 'test', 'unit', 'config', 'data', 'litellm');

function litellmYaml(fake) {
  return `# A LiteLLM proxy config, as users bring them.
model_list:
  - model_name: lite-a
    litellm_params:
      model: openai/fake-lite-a
      api_base: ${fake.apiBase('/l1')}
      api_key: os.environ/E2E_LITE_KEY_A
  - model_name: lite-b
    litellm_params:
      model: openai/fake-lite-b
      api_base: ${fake.apiBase('/l2')}
      api_key: "${LITE_KEY_B}"
      temperature: 0.25

router_settings:
  routing_strategy: simple-shuffle
  num_retries: ${NUM_RETRIES}

litellm_settings:
  drop_params: true
`;
}

describe('LiteLLM config.yaml', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm();
    sluice = await startSluice(litellmYaml(fake), { fileName: 'litellm.yaml', env: { E2E_LITE_KEY_A: LITE_KEY_A } });
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('sluice serves a LiteLLM file: chat through each model_list entry', { timeout: 30_000 }, async () => {
    await fake.clear();
    const a = await client.chat.completions.create({ model: 'lite-a', messages: [{ role: 'user', content: 'via litellm a' }] });
    assert.equal(a.choices[0].message.content, 'Echo: via litellm a');
    assert.equal(a.model, 'lite-a');
    const b = await client.chat.completions.create({ model: 'lite-b', messages: [{ role: 'user', content: 'via litellm b' }] });
    assert.equal(b.choices[0].message.content, 'Echo: via litellm b');
    assert.equal(b.model, 'lite-b');

    const [l1] = await fake.requests({ prefix: '/l1' });
    assert.equal(l1?.model, 'fake-lite-a', 'openai/<id> sent as <id>');
    assert.equal(l1.headers.authorization, `Bearer ${LITE_KEY_A}`, 'os.environ/VAR key');
    const [l2] = await fake.requests({ prefix: '/l2' });
    assert.equal(l2?.model, 'fake-lite-b');
    assert.equal(l2.headers.authorization, `Bearer ${LITE_KEY_B}`);
    assert.equal(JSON.parse(l2.body).temperature, 0.25, 'litellm_params.temperature became a default param');

    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['lite-a', 'lite-b']);
  });

  test('router_settings.num_retries is what sluice retries', { timeout: 30_000 }, async () => {
    await fake.clear();
    await fake.program(Array.from({ length: NUM_RETRIES + 2 }, () => ({ status: 503 })), '/l1');
    const error = await expectError(
      () => client.chat.completions.create({ model: 'lite-a', messages: [{ role: 'user', content: 'busy' }] }),
      'persistent 503',
    );
    assert.ok(error instanceof OpenAI.InternalServerError, `InternalServerError expected, got ${error?.constructor?.name}: ${error}`);
    assert.equal(error.status, 503);
    const upstream = await fake.requests({ prefix: '/l1' });
    assert.equal(upstream.length, NUM_RETRIES + 1, `num_retries ${NUM_RETRIES}: ${NUM_RETRIES + 1} attempts`);
    sluice.assertAlive();
  });

  const configs = fs.readdirSync(LITELLM_CONFIGS).filter((f) => f.endsWith('.yaml')).sort();
  test('the real LiteLLM files are in the repository', () => {
    assert.ok(configs.length >= 3, `expected the AWS guidance configs in ${LITELLM_CONFIGS}, found ${configs}`);
  });
  for (const file of configs) {
    test(`sluice validate -c ${file} exits 0`, { timeout: 30_000 }, () => {
      const result = runSluiceCommand(['validate', '-c', path.join(LITELLM_CONFIGS, file)]);
      assert.equal(result.error, undefined, String(result.error));
      assert.equal(result.code, 0, `exit ${result.code ?? result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    });
  }
});
