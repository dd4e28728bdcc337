// The official AWS SDK for Bedrock Runtime against sluice's Converse API (/bedrock/model/{id}/
// converse and /converse-stream), in front of an OpenAI-compatible fake-llm and of a Bedrock one
// (whose SigV4 signatures, sluice's own, fake-llm checks). As in AWS's
// multi-provider gateway guidance, the SDK's SigV4 signature is replaced by a bearer header with
// the gateway key. The JavaScript SDK's Bedrock Runtime client speaks HTTP/2 by default (for
// its bidirectional streams); sluice serves HTTP/1.1, so the client is given the SDK's HTTP/1.1
// handler, as a deployment in front of sluice must do too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { CLIENT_KEY, PROVIDER_KEY, gatewayConfig, startFakeLlm, startSluice } from './harness.mjs';

// A model id the way Bedrock names them: the ':' is URL-encoded in the path by the SDK.
const MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';

function bearerClient(origin) {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${origin}/bedrock`,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  // After signing: the gateway takes its own key as a bearer token, not a SigV4 signature.
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = args.request.headers;
      for (const name of Object.keys(headers)) {
        if (/^(authorization|x-amz-date|x-amz-security-token|x-amz-content-sha256)$/i.test(name)) delete headers[name];
      }
      headers.authorization = `Bearer ${CLIENT_KEY}`;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'sluiceBearer' },
  );
  return client;
}

describe('bedrock client', { timeout: 90_000 }, () => {
  let fake;
  let sluice;
  let client;

  before(async () => {
    fake = await startFakeLlm({ args: ['--aws-credentials', 'AKIDBEDROCKE2E:bedrock-e2e-secret'] });
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          { name: 'fake', type: 'openai_compatible', api_base: fake.apiBase('/b'), api_key: PROVIDER_KEY },
          {
            name: 'aws',
            type: 'bedrock',
            api_base: `${fake.origin}/br`,
            settings: { aws_region_name: 'us-west-2', aws_access_key_id: 'AKIDBEDROCKE2E', aws_secret_access_key: 'bedrock-e2e-secret' },
          },
        ],
        models: [
          { name: MODEL_ID, deployments: [{ provider: 'fake', model: 'fake-provider-chat' }] },
          { name: 'us.amazon.nova-lite-v1:0', deployments: [{ provider: 'aws', model: 'us.amazon.nova-lite-v1:0' }] },
        ],
      }),
    );
    client = bearerClient(sluice.origin);
  });

  after(async () => {
    client?.destroy();
    await sluice?.stop();
    await fake?.stop();
  });

  test('Converse answers in Bedrock shape, with usage and latency', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const answer = await client.send(
      new ConverseCommand({
        modelId: MODEL_ID,
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'hello from bedrock' }] }],
        inferenceConfig: { maxTokens: 64, temperature: 0.5 },
      }),
    );
    assert.equal(answer.output.message.role, 'assistant');
    assert.equal(answer.output.message.content[0].text, 'Echo: hello from bedrock');
    assert.equal(answer.stopReason, 'end_turn');
    assert.ok(answer.usage.inputTokens > 0 && answer.usage.outputTokens > 0);
    assert.equal(answer.usage.totalTokens, answer.usage.inputTokens + answer.usage.outputTokens);
    assert.equal(typeof answer.metrics.latencyMs, 'number');

    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0].path, '/b/v1/chat/completions');
    const body = JSON.parse(upstream[0].body);
    assert.equal(body.max_tokens, 64);
    assert.equal(body.messages[0].role, 'system');
    assert.ok(!JSON.stringify(upstream[0].headers).includes(CLIENT_KEY));
  });

  test('ConverseStream delivers event-stream frames the SDK decodes', { timeout: 30_000 }, async () => {
    const response = await client.send(
      new ConverseStreamCommand({
        modelId: MODEL_ID,
        messages: [{ role: 'user', content: [{ text: 'one two three' }] }],
        inferenceConfig: { maxTokens: 64 },
      }),
    );
    const kinds = [];
    let text = '';
    let usage;
    for await (const event of response.stream) {
      const kind = Object.keys(event).find((key) => event[key] !== undefined && key !== '$unknown');
      kinds.push(kind);
      if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
      if (event.metadata) usage = event.metadata.usage;
    }
    assert.equal(text, 'Echo: one two three');
    assert.equal(kinds[0], 'messageStart');
    assert.ok(kinds.includes('messageStop'), kinds.join(','));
    assert.equal(kinds[kinds.length - 1], 'metadata');
    assert.ok(usage?.outputTokens > 0, JSON.stringify(usage));
  });

  test('Converse and ConverseStream to a Bedrock-backed model, re-signed by sluice', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const answer = await client.send(
      new ConverseCommand({
        modelId: 'us.amazon.nova-lite-v1:0',
        messages: [{ role: 'user', content: [{ text: 'to real bedrock' }] }],
        inferenceConfig: { maxTokens: 32 },
      }),
    );
    assert.equal(answer.output.message.content[0].text, 'Echo: to real bedrock');
    assert.equal(answer.stopReason, 'end_turn');
    const upstream = await fake.requests({ since });
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0].path, '/br/model/us.amazon.nova-lite-v1%3A0/converse');
    assert.match(upstream[0].headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDBEDROCKE2E\//);

    const response = await client.send(
      new ConverseStreamCommand({
        modelId: 'us.amazon.nova-lite-v1:0',
        messages: [{ role: 'user', content: [{ text: 'streamed twice over' }] }],
      }),
    );
    let text = '';
    let stop;
    for await (const event of response.stream) {
      if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
      if (event.messageStop) stop = event.messageStop.stopReason;
    }
    assert.equal(text, 'Echo: streamed twice over');
    assert.equal(stop, 'end_turn');
  });

  test('a tool call round trip', { timeout: 30_000 }, async () => {
    const toolConfig = {
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather for a city',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        },
      ],
    };
    const first = await client.send(
      new ConverseCommand({
        modelId: MODEL_ID,
        toolConfig,
        messages: [{ role: 'user', content: [{ text: 'weather? [[fake fault=tool_call args={"city":"Oslo"}]]' }] }],
      }),
    );
    assert.equal(first.stopReason, 'tool_use');
    const use = first.output.message.content.find((block) => block.toolUse)?.toolUse;
    assert.ok(use, JSON.stringify(first.output));
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { city: 'Oslo' });

    const second = await client.send(
      new ConverseCommand({
        modelId: MODEL_ID,
        toolConfig,
        messages: [
          { role: 'user', content: [{ text: 'weather?' }] },
          first.output.message,
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: use.toolUseId, content: [{ text: 'cold' }] } }, { text: 'thanks' }],
          },
        ],
      }),
    );
    assert.equal(second.stopReason, 'end_turn');
    assert.equal(second.output.message.content[0].text, 'Echo: thanks');
  });

  test('a provider failing midway ends ConverseStream with the exception the SDK raises', { timeout: 30_000 }, async () => {
    // A Bedrock model's stream exception keeps its name; an OpenAI-compatible server's own
    // in-band error is an internal server exception.
    const expected = { 'us.amazon.nova-lite-v1:0': [ModelStreamErrorException, /failed midway/], [MODEL_ID]: [InternalServerException, /had an error/] };
    for (const modelId of ['us.amazon.nova-lite-v1:0', MODEL_ID]) {
      const response = await client.send(
        new ConverseStreamCommand({
          modelId,
          messages: [{ role: 'user', content: [{ text: 'one two three four [[fake fault=error_mid_stream fault_after=2]]' }] }],
        }),
      );
      let text = '';
      let stop;
      await assert.rejects(
        (async () => {
          for await (const event of response.stream) {
            if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
            if (event.messageStop) stop = event.messageStop.stopReason;
          }
        })(),
        (error) => error instanceof expected[modelId][0] && expected[modelId][1].test(error.message),
      );
      assert.ok(text.startsWith('Echo: one') && text.length < 'Echo: one two three four'.length, text);
      assert.equal(stop, undefined);
    }
  });

  test('errors are the SDK exception classes', { timeout: 30_000 }, async () => {
    await assert.rejects(
      client.send(
        new ConverseCommand({ modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text: 'hi [[fake status=429]]' }] }] }),
      ),
      (error) => error instanceof ThrottlingException && error.$metadata.httpStatusCode === 429,
    );
    await assert.rejects(
      client.send(new ConverseCommand({ modelId: MODEL_ID, messages: [] })),
      (error) => error instanceof ValidationException && error.$metadata.httpStatusCode === 400,
    );
  });
});
