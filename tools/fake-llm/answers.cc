// Per-route request reading and success answers.

#include "tools/fake-llm/answers.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "tools/fake-llm/anthropic_answer.h"
#include "tools/fake-llm/azure_api.h"
#include "tools/fake-llm/bedrock_responses.h"
#include "tools/fake-llm/bedrock_stream.h"
#include "tools/fake-llm/gemini_answer.h"
#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/openai_responses.h"
#include "tools/fake-llm/text.h"

namespace fake_llm {
namespace {

size_t at_least_one(size_t n) {
  return std::max<size_t>(n, 1);
}

// A tool_call's arguments as a JSON object text for Bedrock's toolUse.input ({} unless `args` is
// a JSON object).
std::string tool_input(const std::optional<std::string>& args) {
  if (!args) return "{}";
  rapidjson::Document doc;
  if (!parse_json(*args, &doc) || !doc.IsObject()) return "{}";
  return to_json(doc);
}

void chat_answer(ParsedRequest& parsed, const Controls& controls, const AnswerContext& context,
                 Plan* plan) {
  const ChatRequest& chat = parsed.chat;
  ChatAnswer answer;
  answer.id = context.random->id("chatcmpl-", 29);
  answer.created = context.now_ms / 1000;
  answer.model = chat.model;
  answer.usage.prompt_tokens = at_least_one(chat.other_words + count_words(chat.last_user_text));
  if (controls.fault == Fault::tool_call && !chat.first_tool_name.empty()) {
    answer.tool_call = true;
    answer.tool_call_id = context.random->id("call_", 24);
    answer.tool_name = chat.first_tool_name;
    answer.tool_arguments = controls.args.value_or("{}");
    answer.usage.completion_tokens = at_least_one(count_words(answer.tool_arguments));
  } else {
    answer.text = echo_answer(chat.last_user_text);
    answer.usage.completion_tokens = count_words(answer.text);
  }
  answer.stream = chat.stream;
  answer.include_usage = chat.include_usage;
  answer.chunks = controls.chunks.value_or(0);
  openai_chat(plan, answer, context.request_id);
}

void completion_answer(ParsedRequest& parsed, const Controls& controls,
                       const AnswerContext& context, Plan* plan) {
  const CompletionRequest& completion = parsed.completion;
  TextCompletionAnswer answer;
  answer.id = context.random->id("cmpl-", 29);
  answer.created = context.now_ms / 1000;
  answer.model = completion.model;
  answer.text = echo_answer(completion.prompt_text);
  answer.usage.prompt_tokens =
      at_least_one(completion.other_words + count_words(completion.prompt_text));
  answer.usage.completion_tokens = count_words(answer.text);
  answer.stream = completion.stream;
  answer.include_usage = completion.include_usage;
  answer.chunks = controls.chunks.value_or(0);
  openai_text_completion(plan, answer, context.request_id);
}

void embedding_answer(ParsedRequest& parsed, const AnswerContext& context, Plan* plan) {
  std::vector<std::string> texts;
  texts.reserve(parsed.embedding.inputs.size());
  size_t tokens = 0;
  for (EmbeddingInput& input : parsed.embedding.inputs) {
    tokens += input.tokens ? *input.tokens : count_words(input.text);
    texts.push_back(std::move(input.text));
  }
  EmbeddingAnswer answer;
  answer.model = parsed.embedding.model;
  answer.inputs = &texts;
  answer.dim = parsed.embedding.dimensions.value_or(context.embedding_dim);
  answer.base64 = parsed.embedding.base64;
  answer.prompt_tokens = at_least_one(tokens);
  openai_embeddings(plan, answer, context.request_id);
}

void converse_answer(ParsedRequest& parsed, const Controls& controls, const AnswerContext& context,
                     bool stream, Plan* plan) {
  const ConverseRequest& converse = parsed.converse;
  ConverseAnswer answer;
  answer.input_tokens = at_least_one(converse.other_words + count_words(converse.last_user_text));
  if (controls.fault == Fault::tool_call && !converse.first_tool_name.empty()) {
    answer.tool_use = true;
    answer.tool_use_id = context.random->id("tooluse_", 22);
    answer.tool_name = converse.first_tool_name;
    answer.tool_input = tool_input(controls.args);
    answer.output_tokens = at_least_one(count_words(answer.tool_input));
  } else {
    answer.text = echo_answer(converse.last_user_text);
    answer.output_tokens = count_words(answer.text);
  }
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - context.arrival);
  answer.latency_ms = controls.delay_ms.value_or(0) + spent.count();
  if (stream) {
    bedrock_converse_stream(plan, answer, controls.chunks.value_or(0), context.request_id);
  } else {
    bedrock_converse(plan, answer, context.request_id);
  }
}

}  // namespace

void parse_request(const sluice::http::Request& request, const Route& route, ParsedRequest* out) {
  switch (route.kind) {
    case RouteKind::chat_completions:
      out->ok = parse_chat_request(request.body, &out->chat, &out->error);
      out->model = out->chat.model;
      out->user_text = &out->chat.last_user_text;
      break;
    case RouteKind::completions:
      out->ok = parse_completion_request(request.body, &out->completion, &out->error);
      out->model = out->completion.model;
      out->user_text = &out->completion.prompt_text;
      break;
    case RouteKind::embeddings:
      out->ok = parse_embedding_request(request.body, &out->embedding, &out->error);
      out->model = out->embedding.model;
      // Directives ride in the last string input.
      for (auto it = out->embedding.inputs.rbegin(); it != out->embedding.inputs.rend(); ++it) {
        if (!it->tokens) {
          out->user_text = &it->text;
          break;
        }
      }
      break;
    case RouteKind::converse:
    case RouteKind::converse_stream:
    case RouteKind::invoke:
      out->model = route.model_id;
      if (route.bad_model_id) {
        out->ok = false;
        out->error.message = "The provided model identifier is invalid.";
        break;
      }
      if (route.kind == RouteKind::invoke) {
        out->ok = parse_invoke_request(route.model_id, request.body, &out->invoke, &out->error);
        if (out->ok) out->user_text = &out->invoke.texts.back();
        break;
      }
      out->ok = parse_converse_request(request.body, &out->converse, &out->error);
      out->user_text = &out->converse.last_user_text;
      break;
    case RouteKind::azure_chat_completions:
    case RouteKind::azure_completions:
    case RouteKind::azure_embeddings: {
      // The deployment is the model: the body may leave it out, and the answer names it.
      out->model = route.model_id;
      if (route.bad_model_id) {
        out->ok = false;
        out->error.status = 404;
        out->error.message = "DeploymentNotFound";
        break;
      }
      const std::string body = azure_body_with_model(request.body, route.model_id);
      if (route.kind == RouteKind::azure_embeddings) {
        out->ok = parse_embedding_request(body, &out->embedding, &out->error);
        out->embedding.model = route.model_id;
        for (auto it = out->embedding.inputs.rbegin(); it != out->embedding.inputs.rend(); ++it) {
          if (!it->tokens) {
            out->user_text = &it->text;
            break;
          }
        }
      } else if (route.kind == RouteKind::azure_completions) {
        out->ok = parse_completion_request(body, &out->completion, &out->error);
        out->completion.model = route.model_id;
        out->user_text = &out->completion.prompt_text;
      } else {
        out->ok = parse_chat_request(body, &out->chat, &out->error);
        out->chat.model = route.model_id;
        out->user_text = &out->chat.last_user_text;
      }
      break;
    }
    case RouteKind::gemini_generate:
    case RouteKind::gemini_stream:
    case RouteKind::vertex_generate:
    case RouteKind::vertex_stream:
      out->model = route.model_id;
      if (route.bad_model_id) {
        out->ok = false;
        out->error.status = 404;
        out->error.message = "Requested entity was not found.";
        break;
      }
      out->ok = parse_gemini_request(request.body, &out->gemini, &out->error);
      out->user_text = &out->gemini.last_user_text;
      if (std::string alt; query_param(request.query, "alt", &alt)) out->gemini.sse = alt == "sse";
      break;
    case RouteKind::google_token:
      out->ok = parse_token_request(request, &out->token, &out->error);
      break;
    case RouteKind::anthropic_messages:
      out->ok = parse_anthropic_request(request.body, &out->anthropic, &out->error);
      out->model = out->anthropic.model;
      out->user_text = &out->anthropic.last_user_text;
      break;
    default:  // models: no body to read; control and unknown routes never get here
      break;
  }
}

void build_answer(RouteKind kind, ParsedRequest& parsed, const Controls& controls,
                  const AnswerContext& context, Plan* plan) {
  switch (kind) {
    case RouteKind::chat_completions:
      chat_answer(parsed, controls, context, plan);
      break;
    case RouteKind::completions:
      completion_answer(parsed, controls, context, plan);
      break;
    case RouteKind::embeddings:
      embedding_answer(parsed, context, plan);
      break;
    case RouteKind::models:
      openai_models(plan, context.request_id);
      break;
    case RouteKind::converse:
    case RouteKind::converse_stream:
      converse_answer(parsed, controls, context, kind == RouteKind::converse_stream, plan);
      break;
    case RouteKind::invoke:
      bedrock_invoke_embeddings(plan, parsed.invoke, context.embedding_dim, context.request_id);
      break;
    case RouteKind::anthropic_messages:
      anthropic_answer(parsed, controls, context, plan);
      break;
    case RouteKind::gemini_generate:
    case RouteKind::gemini_stream:
    case RouteKind::vertex_generate:
    case RouteKind::vertex_stream:
      gemini_answer(parsed, controls, context,
                    kind == RouteKind::vertex_generate || kind == RouteKind::vertex_stream,
                    kind == RouteKind::gemini_stream || kind == RouteKind::vertex_stream, plan);
      break;
    case RouteKind::google_token:
      google_token_answer(parsed.token, *context.google, *context.random, context.now_ms / 1000,
                          plan);
      break;
    case RouteKind::azure_chat_completions:
      chat_answer(parsed, controls, context, plan);
      azure_content_filters(plan);
      azure_headers(plan, context.request_id);
      break;
    case RouteKind::azure_embeddings:
      embedding_answer(parsed, context, plan);
      azure_headers(plan, context.request_id);
      break;
    case RouteKind::azure_completions:
      completion_answer(parsed, controls, context, plan);
      azure_content_filters(plan);
      azure_headers(plan, context.request_id);
      break;
    default:
      break;
  }
}

}  // namespace fake_llm
