// The official OpenAI SDK against sluice in front of providers with APIs of their own, each
// played by fake-llm speaking that provider's protocol: Bedrock (Converse and ConverseStream,
// every request's SigV4 signature checked by fake-llm), Anthropic (Messages, its key checked) and
// Gemini (generateContent / streamGenerateContent, its key checked) and Vertex AI (the same API,
// authorised by OAuth tokens sluice mints from a service account through fake-llm's token
// endpoint, which checks the JWT's RS256 signature). Plain and streamed chat, and a tool-call
// round trip, each seen by the client in OpenAI's shape.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';

import { gatewayConfig, makeTempDir, startFakeLlm, startSluice } from './harness.mjs';

const AWS_KEY_ID = 'AKIDE2EEXAMPLE';
const AWS_SECRET = 'e2e/secret+KEY/for/sigv4/checks';
const ANTHROPIC_KEY = 'sk-ant-e2e-provider-91c2';
const GEMINI_KEY = 'gemini-e2e-provider-5d7e';

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

// Chat, streamed chat and a tool round trip against `model`, checking what reached `route`.
function providerSuite(name, model, expectations) {
  describe(name, { timeout: 90_000 }, () => {
    test('chat', { timeout: 30_000 }, async (t) => {
      const { client, fake } = expectations.context();
      const since = await fake.lastSeq();
      const completion = await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello provider' },
        ],
        max_tokens: 50,
      });
      assert.equal(completion.model, model);
      assert.equal(completion.choices[0].message.content, 'Echo: hello provider');
      assert.equal(completion.choices[0].finish_reason, 'stop');
      assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
      // Vertex AI's first request also fetched a token from the fake's token endpoint.
      const upstream = (await fake.requests({ since })).filter((request) => request.route !== 'token');
      assert.equal(upstream.length, 1, 'one provider request');
      expectations.checkRequest(upstream[0], t);
    });

    test('streamed chat', { timeout: 30_000 }, async () => {
      const { client } = expectations.context();
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'one two three four' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish;
      let usage;
      for await (const chunk of stream) {
        assert.equal(chunk.model, model);
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      assert.equal(text, 'Echo: one two three four');
      assert.equal(finish, 'stop');
      assert.ok(usage?.completion_tokens > 0, JSON.stringify(usage));
    });

    test('a provider failing midway ends the stream with an error the SDK raises', { timeout: 30_000 }, async () => {
      const { client } = expectations.context();
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'one two three four [[fake fault=error_mid_stream fault_after=2]]' }],
        stream: true,
      });
      let text = '';
      let finish;
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) {
            text += chunk.choices[0]?.delta?.content ?? '';
            finish = chunk.choices[0]?.finish_reason ?? finish;
          }
        })(),
        (error) => error instanceof OpenAI.APIError && expectations.midStreamError.test(error.message),
      );
      // The words sent before the failure arrived; no finish was invented.
      assert.ok(text.startsWith('Echo: one') && text.length < 'Echo: one two three four'.length, text);
      assert.equal(finish, undefined);
    });

    test('a tool call round trip', { timeout: 30_000 }, async () => {
      const { client } = expectations.context();
      const first = await client.chat.completions.create({
        model,
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'weather? [[fake fault=tool_call args={"city":"Lima"}]]' }],
      });
      assert.equal(first.choices[0].finish_reason, 'tool_calls');
      const call = first.choices[0].message.tool_calls?.[0];
      assert.ok(call, JSON.stringify(first.choices[0].message));
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Lima' });
      const second = await client.chat.completions.create({
        model,
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'weather?' },
          first.choices[0].message,
          { role: 'tool', tool_call_id: call.id, content: 'warm' },
          { role: 'user', content: 'thanks' },
        ],
      });
      assert.equal(second.choices[0].finish_reason, 'stop');
      assert.equal(second.choices[0].message.content, 'Echo: thanks');
    });
  });
}

describe('providers', { timeout: 300_000 }, () => {
  let fake;
  let sluice;
  let client;
  let dir;
  const context = () => ({ fake, client });

  before(async () => {
    // A service account of the test's own: fake-llm verifies the JWTs with its public half.
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    dir = makeTempDir('vertex');
    const publicKeyFile = path.join(dir, 'public.pem');
    fs.writeFileSync(publicKeyFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    fake = await startFakeLlm({
      args: [
        '--aws-credentials', `${AWS_KEY_ID}:${AWS_SECRET}`,
        '--anthropic-key', ANTHROPIC_KEY,
        '--gemini-key', GEMINI_KEY,
        '--google-public-key', publicKeyFile,
      ],
    });
    const serviceAccount = {
      type: 'service_account',
      project_id: 'e2e-project',
      private_key_id: 'e2e-key-1',
      private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'sluice-e2e@e2e-project.iam.gserviceaccount.com',
      token_uri: `${fake.origin}/vx/token`,
    };
    const credentialsFile = path.join(dir, 'service-account.json');
    fs.writeFileSync(credentialsFile, JSON.stringify(serviceAccount));
    sluice = await startSluice(
      gatewayConfig({
        providers: [
          {
            name: 'aws',
            type: 'bedrock',
            api_base: `${fake.origin}/br`,
            settings: { aws_region_name: 'eu-west-1', aws_access_key_id: AWS_KEY_ID, aws_secret_access_key: AWS_SECRET },
          },
          { name: 'claude', type: 'anthropic', api_base: `${fake.origin}/an`, api_key: ANTHROPIC_KEY },
          { name: 'google', type: 'gemini', api_base: `${fake.origin}/ge`, api_key: GEMINI_KEY },
          {
            name: 'vertex',
            type: 'vertex_ai',
            api_base: `${fake.origin}/vx`,
            settings: { vertex_project: 'e2e-project', vertex_location: 'us-central1', vertex_credentials: credentialsFile },
          },
        ],
        models: [
          { name: 'e2e-anthropic', deployments: [{ provider: 'claude', model: 'claude-3-5-haiku-20241022' }] },
          { name: 'e2e-gemini', deployments: [{ provider: 'google', model: 'gemini-2.0-flash' }] },
          { name: 'e2e-vertex', deployments: [{ provider: 'vertex', model: 'gemini-2.0-flash' }] },
          { name: 'e2e-bedrock', deployments: [{ provider: 'aws', model: 'anthropic.claude-3-haiku-20240307-v1:0' }] },
          { name: 'e2e-titan', deployments: [{ provider: 'aws', model: 'amazon.titan-embed-text-v2:0' }] },
        ],
      }),
    );
    client = sluice.client();
  });

  test('bedrock: Titan embeddings through InvokeModel, in the base64 the SDK asks for by default', { timeout: 30_000 }, async () => {
    const since = await fake.lastSeq();
    const result = await client.embeddings.create({ model: 'e2e-titan', input: 'vectors please' });
    assert.equal(result.model, 'e2e-titan');
    assert.equal(result.data.length, 1);
    const vector = result.data[0].embedding;
    assert.equal(vector.length, 8, 'fake-llm vectors have --embedding-dim 8 components');
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-3, 'a unit vector, decoded from base64');
    const asFloats = await client.embeddings.create({ model: 'e2e-titan', input: 'vectors please', encoding_format: 'float' });
    assert.deepEqual(
      asFloats.data[0].embedding.map((x) => Math.fround(x)),
      vector.map((x) => Math.fround(x)),
      'the same vector either way',
    );
    const upstream = await fake.requests({ since });
    assert.equal(upstream[0].path, '/br/model/amazon.titan-embed-text-v2%3A0/invoke');
  });

  after(async () => {
    await sluice?.stop();
    await fake?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  providerSuite('bedrock', 'e2e-bedrock', {
    context,
    midStreamError: /failed midway/,
    checkRequest(request) {
      assert.equal(request.path, '/br/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', 'the model id URL-encoded, as AWS SDKs send it');
      assert.match(request.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDE2EEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
      const body = JSON.parse(request.body);
      assert.equal(body.inferenceConfig.maxTokens, 50);
      assert.equal(body.system[0].text, 'Be brief.');
      assert.ok(!JSON.stringify(request).includes(AWS_SECRET), 'the secret never travels');
    },
  });

  providerSuite('anthropic', 'e2e-anthropic', {
    context,
    midStreamError: /Overloaded/,
    checkRequest(request) {
      assert.equal(request.path, '/an/v1/messages');
      assert.equal(request.headers['x-api-key'], ANTHROPIC_KEY);
      assert.ok(request.headers['anthropic-version']);
      const body = JSON.parse(request.body);
      assert.equal(body.model, 'claude-3-5-haiku-20241022');
      assert.equal(body.system, 'Be brief.');
      assert.equal(body.max_tokens, 50);
    },
  });

  providerSuite('gemini', 'e2e-gemini', {
    context,
    midStreamError: /overloaded/i,
    checkRequest(request) {
      assert.equal(request.path, '/ge/v1beta/models/gemini-2.0-flash:generateContent');
      assert.equal(request.headers['x-goog-api-key'], GEMINI_KEY);
      const body = JSON.parse(request.body);
      assert.equal(body.systemInstruction.parts[0].text, 'Be brief.');
      assert.equal(body.generationConfig.maxOutputTokens, 50);
    },
  });

  providerSuite('vertex_ai', 'e2e-vertex', {
    context,
    midStreamError: /overloaded/i,
    checkRequest(request) {
      assert.equal(
        request.path,
        '/vx/v1/projects/e2e-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent',
      );
      assert.match(request.headers.authorization, /^Bearer ya29\./, 'a token the fake issued');
      assert.equal(JSON.parse(request.body).systemInstruction.parts[0].text, 'Be brief.');
    },
  });

  test('a wrongly signed request is refused by the provider, and the client sees a 403', { timeout: 30_000 }, async () => {
    const other = await startSluice(
      gatewayConfig({
        providers: [
          {
            name: 'aws',
            type: 'bedrock',
            api_base: `${fake.origin}/br`,
            settings: { aws_region_name: 'eu-west-1', aws_access_key_id: AWS_KEY_ID, aws_secret_access_key: 'wrong-secret' },
          },
        ],
        models: [{ name: 'e2e-bedrock', deployments: [{ provider: 'aws', model: 'm' }] }],
      }),
    );
    try {
      await assert.rejects(
        other.client().chat.completions.create({ model: 'e2e-bedrock', messages: [{ role: 'user', content: 'hi' }] }),
        (error) => error.status === 403 && /signature/i.test(error.message),
      );
    } finally {
      await other.stop();
    }
  });
});
