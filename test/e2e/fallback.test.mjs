// A fallback across providers with different APIs: the model's OpenAI deployment answers 500,
// and the route filter moves to its Bedrock deployment, whose request translate builds afresh
// from the original OpenAI request (Converse, SigV4-signed: fake-llm checks the signature). The
// OpenAI SDK sees one ordinary answer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PROVIDER_KEY, gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

const AWS_KEY_ID = 'AKIDFALLBACKE2E';
const AWS_SECRET = 'fallback-e2e-secret';

describe('fallback', { timeout: 90_000 }, () => {
  let fake;
  let sluice;

  before(async () => {
    fake = await startFakeLlm({ args: ['--aws-credentials', `${AWS_KEY_ID}:${AWS_SECRET}`] });
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          { name: 'openai', type: 'openai_compatible', api_base: fake.apiBase('/oa'), api_key: PROVIDER_KEY },
          {
            name: 'aws',
            type: 'bedrock',
            api_base: `${fake.origin}/br`,
            settings: { aws_region_name: 'us-east-1', aws_access_key_id: AWS_KEY_ID, aws_secret_access_key: AWS_SECRET },
          },
        ],
        models: [
          {
            name: 'e2e-fallback',
            // The OpenAI deployment comes first all but once in a million requests.
            deployments: [
              { provider: 'openai', model: 'gpt-4o-mini', weight: 1000000 },
              { provider: 'aws', model: 'anthropic.claude-3-haiku-20240307-v1:0', weight: 1 },
            ],
          },
        ],
        route: { num_retries: 0, backoff_base_ms: 1 },
      }),
    );
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('an OpenAI deployment answering 500 falls back to Bedrock, retranslated and re-signed', { timeout: 30_000 }, async () => {
    await fake.program([{ status: 500 }], '/oa');
    const since = await fake.lastSeq();
    const client = sluice.client();
    const completion = await client.chat.completions.create({
      model: 'e2e-fallback',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'fall back please' },
      ],
      max_tokens: 40,
    });
    assert.equal(completion.model, 'e2e-fallback');
    assert.equal(completion.choices[0].message.content, 'Echo: fall back please');

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 2, JSON.stringify(upstream.map((r) => r.path)));
    assert.equal(upstream[0].path, '/oa/v1/chat/completions');
    assert.equal(upstream[0].status, 500);
    assert.equal(JSON.parse(upstream[0].body).model, 'gpt-4o-mini');
    assert.equal(upstream[1].path, '/br/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    assert.match(upstream[1].headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDFALLBACKE2E\//);
    const converse = JSON.parse(upstream[1].body);
    assert.equal(converse.system[0].text, 'Be brief.');
    assert.equal(converse.inferenceConfig.maxTokens, 40);
    assert.equal(converse.messages[0].content[0].text, 'fall back please');
    assert.ok(!upstream[1].headers['authorization'].includes(PROVIDER_KEY), 'the OpenAI key stays with OpenAI');
  });
});
