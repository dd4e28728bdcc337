#pragma once
// Which route a request path names, and the optional deployment prefix before it
// ("/d1/v1/chat/completions" → chat completions with prefix "/d1"). Bedrock model ids come
// URL-decoded from "/model/{modelId}/converse"; Azure deployments and Gemini / Vertex AI models
// from their path segments.

#include <string>
#include <string_view>

namespace fake_llm {

enum class RouteKind {
  unknown,
  chat_completions,        // POST [prefix]/v1/chat/completions, [prefix]/chat/completions
  completions,             // POST [prefix]/v1/completions, [prefix]/completions
  embeddings,              // POST [prefix]/v1/embeddings, [prefix]/embeddings
  models,                  // GET  [prefix]/v1/models, [prefix]/models
  converse,                // POST [prefix]/model/{modelId}/converse (Amazon Bedrock)
  converse_stream,         // POST [prefix]/model/{modelId}/converse-stream (Amazon Bedrock)
  invoke,                  // POST [prefix]/model/{modelId}/invoke (Bedrock embeddings)
  control_program,         // [prefix]/_fake/program
  control_requests,        // [prefix]/_fake/requests
  anthropic_messages,      // POST [prefix]/v1/messages
  azure_chat_completions,  // POST [prefix]/openai/deployments/{deployment}/chat/completions
  azure_embeddings,        // POST [prefix]/openai/deployments/{deployment}/embeddings
  azure_completions,       // POST [prefix]/openai/deployments/{deployment}/completions
  gemini_generate,         // POST [prefix]/v1beta/models/{model}:generateContent
  gemini_stream,           // POST [prefix]/v1beta/models/{model}:streamGenerateContent
  vertex_generate,  // POST [prefix]/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:
                    //      generateContent
  vertex_stream,    // ... :streamGenerateContent
  google_token,     // POST [prefix]/token (the fake's own Google OAuth token endpoint)
};

enum class Provider { openai, bedrock, control, anthropic, azure, gemini, vertex, google_oauth };

struct Route {
  RouteKind kind = RouteKind::unknown;
  std::string_view prefix;    // a view into the path; empty when none
  std::string model_id;       // Bedrock routes: the decoded modelId; azure: the deployment; gemini,
                              // vertex: the model
  bool bad_model_id = false;  // the modelId / deployment / model segment is empty or badly escaped
};

Route match_route(std::string_view path);
Provider provider_of(RouteKind kind);
// The method a route answers ("POST" or "GET"; control routes take several).
std::string_view route_method(RouteKind kind);
// A short name for logs ("chat.completions", "converse", ...).
std::string_view route_name(RouteKind kind);

// Decodes %XX escapes ('+' stays '+'). False on a malformed escape.
bool percent_decode(std::string_view text, std::string* out);

// The first value of `name` in a query string ("a=1&b=2"), percent-decoded with '+' as a space.
// False when absent or badly escaped.
bool query_param(std::string_view query, std::string_view name, std::string* value);

}  // namespace fake_llm
