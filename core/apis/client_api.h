#pragma once
// The client APIs sluice serves besides OpenAI's, as the host sees them: a request in Anthropic's
// Messages API or Bedrock's Converse API becomes the canonical OpenAI chat-completions request
// before the chain runs, and the chain's OpenAI answer (whole, streamed chunk by chunk, or an
// error) becomes that API's answer on the way out. The filters only ever see OpenAI's shape.
//
// Codecs are pure (text in, text out, no I/O, no clock of their own), so golden files pin them.
// One InboundCodec object per API, stateless and shared by every thread; a StreamEncoder belongs
// to one response on one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::apis {

enum class ClientApi { openai, anthropic_messages, bedrock_converse };

struct Header {
  std::string name;  // lower-case
  std::string value;
};

// What the client sent, as far as a codec needs it.
struct ClientRequest {
  std::string_view path;      // as sent, without the query ("/bedrock/model/<id>/converse")
  std::string_view model_id;  // Bedrock: the URL-decoded {modelId} of the path; else empty
  bool stream_path = false;   // Bedrock: the path was .../converse-stream
  std::string_view body;
};

// A request the codec cannot turn into OpenAI's shape, or any error on the way out: the status
// and the OpenAI-style fields; the codec's encode_error renders it in the client API's shape.
struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";  // OpenAI's error type
  std::string code;                            // OpenAI's code, may be empty
};

// The client's answer in its own API: status, the headers the codec sets (content-type, and
// for Bedrock x-amzn-errortype on errors) and the body.
struct ClientAnswer {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
};

// Turns the chain's OpenAI stream (chat.completion.chunk JSON texts, then the end) into the
// client API's stream bytes: Anthropic's named SSE events, or Bedrock's event-stream frames.
class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  // The response head's content-type for this stream.
  virtual std::string_view content_type() const = 0;
  // One OpenAI chunk's JSON text ("[DONE]" is not passed; the end comes through finish).
  // Appends the bytes to send, possibly none.
  virtual void chunk(std::string_view openai_chunk_json, std::string* out) = 0;
  // The stream ended normally: appends the closing events.
  virtual void finish(std::string* out) = 0;
  // The stream broke after its head went out: appends the API's in-band error event.
  virtual void fail(const ApiError& error, std::string* out) = 0;
};

// What the encoders need besides the chain's text.
struct AnswerContext {
  std::string_view client_model;  // the model the client named (Anthropic: body; Bedrock: path)
  int64_t latency_ms = 0;         // Bedrock's metrics.latencyMs: request start to answer
};

class InboundCodec {
 public:
  virtual ~InboundCodec() = default;
  // The OpenAI chat-completions request body for the client's request, with "stream" (and
  // stream_options.include_usage, which both APIs' streams need) set as the client asked.
  // False with *error set when the request is invalid in the client API's terms.
  virtual bool decode_request(const ClientRequest& request, std::string* openai_body,
                              ApiError* error) const = 0;
  // A whole OpenAI chat-completion answer (2xx) in the client API's shape.
  virtual ClientAnswer encode_response(std::string_view openai_body,
                                       const AnswerContext& context) const = 0;
  // An error (from a filter, the host or the provider, already in OpenAI's terms).
  virtual ClientAnswer encode_error(const ApiError& error) const = 0;
  virtual std::unique_ptr<StreamEncoder> stream_encoder(const AnswerContext& context) const = 0;
};

}  // namespace sluice::apis
