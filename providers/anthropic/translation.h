#pragma once
// The pieces the Anthropic adapter is made of, one file each: the deployment's settings
// (adapter.cc), the request (request.cc), the whole answer (response.cc), the streamed answer
// (stream.cc) and errors (errors.cc). Pure functions of their arguments.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "providers/anthropic/json.h"
#include "providers/common/adapter.h"

namespace sluice::providers::anthropic {

inline constexpr std::string_view kDefaultBaseUrl = "https://api.anthropic.com";
inline constexpr std::string_view kDefaultVersion = "2023-06-01";
inline constexpr uint64_t kDefaultMaxTokens = 4096;

// A deployment's settings, read once per request from Deployment::settings (check() has
// refused any that would not read).
struct Settings {
  std::string_view anthropic_version = kDefaultVersion;
  uint64_t max_tokens_default = kDefaultMaxTokens;
  bool allow_image_urls = false;
};

// Reads the settings: "" when they are usable, else a message naming the bad setting.
std::string read_settings(const Deployment& deployment, Settings* settings);

// The Messages API body for an OpenAI chat-completions body, sent to `model`. *stream tells
// whether the client asked for a stream. False with a 400 *failure naming the field when the
// request cannot be expressed for Anthropic.
bool build_messages_body(std::string_view openai_body, std::string_view model,
                         const Settings& settings, std::string* body, bool* stream,
                         Failure* failure);

// Anthropic's stop_reason as OpenAI's finish_reason.
std::string_view finish_reason_for(std::string_view stop_reason);

// A whole Messages API answer as an OpenAI chat.completion.
bool translate_message(std::string_view body, const ResponseContext& context, std::string* out,
                       Failure* failure);

// The decoder of one streamed Messages API answer.
std::unique_ptr<StreamDecoder> make_message_stream_decoder(const ResponseContext& context);

// The HTTP status Anthropic uses for an error type (stream error events carry no status).
int status_for_error_type(std::string_view anthropic_type);

// A failure from Anthropic's error object {"type","message"} (`error`), with `status` (0: the
// error type's own status) and `secret` removed from the message.
Failure failure_from_error_object(const rapidjson::Value& error, int status,
                                  std::string_view secret);

// A non-2xx answer as a failure (see Adapter::translate_error).
Failure translate_error_body(int status, std::string_view body, std::string_view secret);

// A failure with every field given (designated initializers would leave some out).
inline Failure make_failure(int status, std::string message, std::string_view type,
                            std::string_view code, std::string param = {}) {
  Failure failure;
  failure.status = status;
  failure.message = std::move(message);
  failure.type = std::string(type);
  failure.code = std::string(code);
  failure.param = std::move(param);
  return failure;
}

// The failure for an answer that is not what Anthropic's API documents.
Failure unreadable_answer(std::string message);

}  // namespace sluice::providers::anthropic
