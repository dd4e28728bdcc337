#pragma once
// The Gemini adapter's translators, one file each, as the adapter (adapter.cc) calls them. Both
// provider types ("gemini" and "vertex_ai") speak the same generateContent API, so chat
// translation is shared; only URLs, authentication and the embeddings API differ by flavour.

#include <memory>
#include <string>
#include <string_view>

#include "providers/common/adapter.h"
#include "providers/gemini/json.h"
#include "providers/support/json_path.h"

namespace sluice::providers::gemini {

enum class Flavour { gemini, vertex };

// Provider name used in messages the client sees.
inline std::string_view provider_label(Flavour flavour) {
  return flavour == Flavour::gemini ? "gemini" : "vertex_ai";
}

struct RequestOptions {
  Flavour flavour = Flavour::gemini;
  bool allow_image_urls = false;  // setting allow_image_urls: http(s) images become fileData
};

// request.cc: an OpenAI chat-completions body as a GenerateContentRequest body; *stream tells
// whether the client asked for a stream.
bool build_generate_content_body(std::string_view openai_body, const RequestOptions& options,
                                 std::string* body, bool* stream, Failure* failure);

// schema.cc: a JSON schema (tool parameters, response_format's schema) as Gemini's Schema,
// keeping the keywords Gemini accepts and inlining local $ref; `path` names the field in
// messages.
bool write_gemini_schema(const rapidjson::Value& schema, JsonWriter& writer,
                         const support::JsonPath& path, Failure* failure);

// response.cc: a GenerateContentResponse as an OpenAI chat.completion.
bool translate_generate_content(Flavour flavour, std::string_view body,
                                const ResponseContext& context, std::string* out, Failure* failure);

// stream.cc: a decoder for streamGenerateContent?alt=sse events.
std::unique_ptr<StreamDecoder> make_chat_stream_decoder(Flavour flavour,
                                                        const ResponseContext& context);

// embeddings.cc: OpenAI embeddings to batchEmbedContents (gemini) or :predict (vertex), and
// back. `model` is the provider's model id.
bool build_embeddings_body(Flavour flavour, std::string_view openai_body, std::string_view model,
                           std::string* body, Failure* failure);
bool translate_embeddings(Flavour flavour, std::string_view body, const ResponseContext& context,
                          std::string* out, Failure* failure);

// errors.cc: a Google error answer ({"error":{"code","message","status"}}, possibly inside an
// array) as the client's Failure, `secret` removed from every copied text.
Failure translate_google_error(Flavour flavour, int status, std::string_view body,
                               std::string_view secret);
// The same for an already parsed "error" object (an in-band stream error).
Failure failure_from_error_object(Flavour flavour, int status, const rapidjson::Value& error,
                                  std::string_view secret);

}  // namespace sluice::providers::gemini
