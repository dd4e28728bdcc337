// The official Anthropic SDK against sluice's Messages API (POST /v1/messages), in front of an
// OpenAI-compatible fake-llm and of a Bedrock one (SigV4 checked): messages.create,
// messages.stream, a tool-call round trip, and errors surfacing as the SDK's own error classes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';

import { CLIENT_KEY, PROVIDER_KEY, gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

describe('anthropic client', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm({ args: ['--aws-credentials', 'AKIDANTHROPICE2E:anthropic-e2e-secret'] });
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          { name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/a'), api_key: PROVIDER_KEY },
          {
            name: 'aws',
            type: 'bedrock',
            api_base: `${fake.origin}/br`,
            settings: { aws_region_name: 'us-east-1', aws_access_key_id: 'AKIDANTHROPICE2E', aws_secret_access_key: 'anthropic-e2e-secret' },
          },
        ],
        models: [
          { name: 'claude-e2e', deployments: [{ provider: 'fake', model: 'fake-provider-chat' }] },
          { name: 'claude-bedrock', deployments: [{ provider: 'aws', model: 'anthropic.claude-3-5-haiku-20241022-v1:0' }] },
        ],
      }),
    );
    client = new Anthropic({ apiKey: CLIENT_KEY, baseURL: sluice.origin, maxRetries: 0, timeout: 20_000 });
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
  });

  test('messages.create answers in Anthropic shape, from an OpenAI provider', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const message = await client.messages.create({
      model: 'claude-e2e',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello from anthropic' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, 'claude-e2e');
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.equal(message.content[0].text, 'Echo: hello from anthropic');
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0].path, '/a/v1/chat/completions', 'OpenAI chat completions upstream');
    assert.equal(upstream[0].model, 'fake-provider-chat');
    const body = JSON.parse(upstream[0].body);
    assert.equal(body.messages[0].role, 'system');
    assert.equal(body.max_tokens, 64);
    assert.ok(!JSON.stringify(upstream[0].headers).includes(CLIENT_KEY), 'the client key stays at the gateway');
  });

  test('messages.stream delivers text deltas and a final message with usage', { timeout: 30_000 }, async () => {
    const stream = client.messages.stream({
      model: 'claude-e2e',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'one two three four' }],
    });
    let text = '';
    const events = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(text, 'Echo: one two three four');
    assert.equal(final.content[0].text, 'Echo: one two three four');
    assert.equal(final.model, 'claude-e2e');
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0, JSON.stringify(final.usage));
    assert.equal(events[0], 'message_start');
    assert.equal(events[events.length - 1], 'message_stop');
    assert.ok(events.includes('content_block_delta'));
  });

  test('messages.create and messages.stream to a Bedrock-backed model', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const message = await client.messages.create({
      model: 'claude-bedrock',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello bedrock' }],
    });
    assert.equal(message.model, 'claude-bedrock');
    assert.equal(message.content[0].text, 'Echo: hello bedrock');
    assert.equal(message.stop_reason, 'end_turn');
    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0].path, '/br/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    assert.equal(JSON.parse(upstream[0].body).system[0].text, 'Be brief.');

    const stream = client.messages.stream({
      model: 'claude-bedrock',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'streamed through bedrock' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(text, 'Echo: streamed through bedrock');
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
  });

  test('a tool call round trip', { timeout: 30_000 }, async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const first = await client.messages.create({
      model: 'claude-e2e',
      max_tokens: 64,
      tools,
      messages: [{ role: 'user', content: 'weather in Paris? [[fake fault=tool_call args={"city":"Paris"}]]' }],
    });
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    assert.ok(call, JSON.stringify(first.content));
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, { city: 'Paris' });

    const second = await client.messages.create({
      model: 'claude-e2e',
      max_tokens: 64,
      tools,
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 21 C' }, { type: 'text', text: 'thanks' }] },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    assert.equal(second.content[0].text, 'Echo: thanks');
  });

  test('a provider failing midway ends messages.stream with the error the SDK raises', { timeout: 30_000 }, async () => {
    // The OpenAI-compatible server's own in-band error, and a Bedrock model's stream exception.
    const expected = { 'claude-e2e': ['api_error', /had an error/], 'claude-bedrock': ['api_error', /failed midway/] };
    for (const model of ['claude-e2e', 'claude-bedrock']) {
      const stream = client.messages.stream({
        model,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'one two three four [[fake fault=error_mid_stream fault_after=2]]' }],
      });
      let text = '';
      stream.on('text', (delta) => {
        text += delta;
      });
      const [type, message] = expected[model];
      await assert.rejects(
        stream.finalMessage(),
        (error) => error instanceof Anthropic.APIError && error.error?.error?.type === type && message.test(error.error.error.message),
      );
      assert.ok(text.startsWith('Echo: one') && text.length < 'Echo: one two three four'.length, text);
    }
  });

  test('errors are the SDK error classes with the provider message', { timeout: 30_000 }, async () => {
    await assert.rejects(
      client.messages.create({
        model: 'claude-e2e',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi [[fake status=400]]' }],
      }),
      (error) => error instanceof Anthropic.BadRequestError && error.status === 400 && error.error?.type === 'error',
    );
    await assert.rejects(
      client.messages.create({ model: 'no-such-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
      (error) => error instanceof Anthropic.NotFoundError && error.error?.error?.type === 'not_found_error',
    );
    await assert.rejects(
      client.messages.create({ model: 'claude-e2e', messages: [{ role: 'user', content: 'no max_tokens' }] }),
      (error) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
    );
  });
});
