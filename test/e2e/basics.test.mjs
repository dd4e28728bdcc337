// The OpenAI SDK against sluice in front of fake-llm: chat (plain and streamed), embeddings, the
// model list, and the client's credentials staying at the gateway.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CLIENT_KEY, PROVIDER_KEY, gatewayConfig, startFakeLlm, startSluice, within } from './harness.mjs';

const EMBEDDING_DIM = 16;

describe('basics', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm({ args: ['--embedding-dim', String(EMBEDDING_DIM)] });
    sluice = await startSluice(
      gatewayConfig({
        providers: [{ name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/b'), api_key: PROVIDER_KEY }],
        models: [
          { name: 'e2e-chat', deployments: [{ provider: 'fake', model: 'fake-provider-chat' }] },
          { name: 'e2e-embed', deployments: [{ provider: 'fake', model: 'fake-provider-embed' }] },
          { name: 'e2e-third', deployments: [{ provider: 'fake', model: 'fake-provider-third' }] },
        ],
      }),
    );
    client = sluice.client();
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('chat completion echoes the message under the model name the client asked for, with usage', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const completion = await client.chat.completions.create({
      model: 'e2e-chat',
      messages: [{ role: 'user', content: 'hello gateway world' }],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'e2e-chat', 'the model the client asked for, not the provider id');
    assert.equal(completion.choices.length, 1);
    assert.equal(completion.choices[0].message.role, 'assistant');
    assert.equal(completion.choices[0].message.content, 'Echo: hello gateway world');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.deepEqual(
      { p: completion.usage?.prompt_tokens, c: completion.usage?.completion_tokens, t: completion.usage?.total_tokens },
      { p: 3, c: 4, t: 7 },
    );

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1, 'one upstream request');
    assert.equal(upstream[0].path, '/b/v1/chat/completions');
    assert.equal(upstream[0].model, 'fake-provider-chat', 'the provider saw its own model id');
  });

  const collectStream = async (extra) => {
    const stream = await client.chat.completions.create({
      model: 'e2e-chat',
      messages: [{ role: 'user', content: 'the quick brown fox jumps over the lazy dog' }],
      stream: true,
      ...extra,
    });
    const chunks = [];
    await within(15_000, 'stream', (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })());
    return chunks;
  };

  test('streamed chat reassembles, ends with finish_reason stop, and has usage only when asked', { timeout: 30_000 }, async () => {
    for (const includeUsage of [true, false]) {
      const chunks = await collectStream(includeUsage ? { stream_options: { include_usage: true } } : {});
      const label = `include_usage=${includeUsage}`;
      assert.ok(chunks.length >= 3, `${label}: several chunks (got ${chunks.length})`);
      assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'), label);
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      assert.equal(text, 'Echo: the quick brown fox jumps over the lazy dog', label);
      const finishes = chunks.map((c) => c.choices[0]?.finish_reason).filter((f) => f != null);
      assert.deepEqual(finishes, ['stop'], `${label}: one finish_reason`);
      const withUsage = chunks.filter((c) => c.usage != null);
      if (includeUsage) {
        assert.equal(withUsage.length, 1, `${label}: one usage chunk`);
        const last = chunks[chunks.length - 1];
        assert.equal(last, withUsage[0], `${label}: the usage chunk is the last`);
        assert.deepEqual(last.choices, []);
        assert.deepEqual(
          { p: last.usage.prompt_tokens, c: last.usage.completion_tokens, t: last.usage.total_tokens },
          { p: 9, c: 10, t: 19 },
        );
      } else {
        assert.equal(withUsage.length, 0, `${label}: no chunk carries usage`);
        assert.ok(chunks.every((c) => c.choices.length === 1), `${label}: no usage-only chunk`);
      }
    }
  });

  test("every streamed chunk names the model the client asked for, not the provider's id", { timeout: 30_000 }, async () => {
    const chunks = await collectStream({ stream_options: { include_usage: true } });
    const models = [...new Set(chunks.map((c) => c.model))];
    assert.deepEqual(models, ['e2e-chat'], `chunk models: ${JSON.stringify(chunks.map((c) => c.model))}`);
  });

  test('embeddings (base64 by default in the SDK) decode to vectors of the fake dimension', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const result = await client.embeddings.create({ model: 'e2e-embed', input: ['first text', 'second text'] });
    assert.equal(result.object, 'list');
    assert.equal(result.model, 'e2e-embed');
    assert.equal(result.data.length, 2);
    for (const [i, item] of result.data.entries()) {
      assert.equal(item.index, i);
      assert.ok(Array.isArray(item.embedding), 'decoded to an array of numbers');
      assert.equal(item.embedding.length, EMBEDDING_DIM);
      const norm = Math.sqrt(item.embedding.reduce((sum, x) => sum + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-3, `unit length (got ${norm})`);
    }
    assert.notDeepEqual(result.data[0].embedding, result.data[1].embedding);
    assert.equal(result.usage.prompt_tokens, 4);

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0].route, 'embeddings');
    assert.equal(upstream[0].model, 'fake-provider-embed');
    assert.equal(JSON.parse(upstream[0].body).encoding_format, 'base64', 'the SDK asked base64 and it went through');
  });

  test('models.list() lists the configured model names', { timeout: 30_000 }, async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['e2e-chat', 'e2e-embed', 'e2e-third']);
    const one = await client.models.retrieve('e2e-third');
    assert.equal(one.id, 'e2e-third');
  });

  test("the client's Authorization never reaches the provider; the provider key does", { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    await client.chat.completions.create({ model: 'e2e-chat', messages: [{ role: 'user', content: 'who am i' }] });
    const stream = await client.chat.completions.create({
      model: 'e2e-chat',
      messages: [{ role: 'user', content: 'who am i streamed' }],
      stream: true,
    });
    for await (const _ of stream); // drain
    await client.embeddings.create({ model: 'e2e-embed', input: 'who am i embedded' });

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 3);
    for (const entry of upstream) {
      assert.equal(entry.headers.authorization, `Bearer ${PROVIDER_KEY}`, `${entry.path}: the configured provider key`);
      const headerText = JSON.stringify(entry.headers);
      assert.ok(!headerText.includes(CLIENT_KEY), `${entry.path}: the client's key is in the upstream headers: ${headerText}`);
      assert.ok(!entry.body.includes(CLIENT_KEY), `${entry.path}: the client's key is in the upstream body`);
    }
    sluice.assertAlive();
  });
});
