#pragma once
// The interface of an outbound provider adapter: how the translate filter turns the client's
// OpenAI request into one provider's request, and that provider's answer (whole, streamed or an
// error) back into OpenAI's shape. One Adapter object per provider type, stateless and shared by
// every worker thread; a StreamDecoder belongs to one response on one thread.
//
// Adapters are pure: text in, text out, no I/O, no clock and no randomness of their own (what
// varies comes in through ResponseContext), so golden files pin them exactly. Credentials that
// need I/O (SigV4 with refreshed AWS credentials, Google OAuth tokens) are added by the caller
// after build_request, as UpstreamRequest::auth says; static keys are the adapter's business.
// Errors never carry a credential: an adapter removes the deployment's key from any text it
// copies out of a provider's answer.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::providers {

// The client-side OpenAI operation being translated.
enum class Endpoint { chat_completions, completions, embeddings };

// One deployment as the adapter sees it, resolved from the gateway config at load.
struct Deployment {
  std::string name;           // "<model name>#<index>", for messages
  std::string provider_type;  // "anthropic", "bedrock", "azure", ...
  std::string base_url;       // api_base without a trailing '/'; the type's default when unset
  std::string model;          // the provider's model id (for Azure: the deployment name)
  std::string api_key;        // may be empty
  // Provider settings by name (api_version, aws_region_name, vertex_project, ...), scalar values
  // as text. Adapter::check validates them at load.
  std::map<std::string, std::string, std::less<>> settings;
};

struct Header {
  std::string name;  // lower-case
  std::string value;
};

// How the caller must authenticate the request after build_request.
enum class Auth {
  ready,        // nothing more to add (static key headers are already in `headers`)
  aws_sigv4,    // sign with AWS credentials for `signing_region` / `signing_service`
  google_oauth  // add "authorization: Bearer <token>" from the deployment's service account
};

// The request to send upstream.
struct UpstreamRequest {
  std::string method = "POST";
  std::string url;              // absolute; built only from configuration and the model id
  std::vector<Header> headers;  // what the provider needs; no client header ever
  std::string body;
  bool stream = false;  // the answer will be streamed
  Auth auth = Auth::ready;
  std::string signing_region;   // for aws_sigv4
  std::string signing_service;  // for aws_sigv4 ("bedrock")
};

// A request or answer that cannot be translated, or a provider error: what the client gets,
// as an OpenAI error object {"error":{"message","type","param","code"}} with this status.
struct Failure {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string code;   // may be empty
  std::string param;  // may be empty
};

// What a translated answer needs besides the provider's text.
struct ResponseContext {
  std::string_view client_model;  // the name the client asked for: every answer's "model"
  std::string_view response_id;   // used as "id" when the provider's answer has none
  int64_t created = 0;            // unix seconds: "created" when the provider's has none
};

// Turns one provider's streamed answer into OpenAI chat.completion.chunk JSON texts (each one
// complete JSON object, without "data: " framing; the caller adds [DONE]).
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // One unit of the upstream stream: an SSE event's data (SSE providers), or the next bytes of
  // a binary stream (Bedrock's event stream), split anywhere. Appends zero or more chunks.
  // False with *failure set when the stream is broken or reports an error in band; the caller
  // then ends the client's stream with an error event.
  virtual bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) = 0;
  // The upstream ended: appends what is still owed (for example a final usage chunk). False
  // when the stream ended too early (a truncated frame, no stop event).
  virtual bool finish(std::vector<std::string>* chunks, Failure* failure) = 0;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  // Validates the deployment at load: required and known settings, the URL. "" when it is
  // usable, else a message naming the setting (the caller prefixes the deployment's name).
  virtual std::string check(const Deployment& deployment) const = 0;
  virtual bool supports(Endpoint endpoint) const = 0;
  // The upstream request for the client's OpenAI request body (a JSON object whose "model" is
  // the client's name). False with *failure set (a 400 naming the field) when it cannot be
  // expressed for this provider.
  virtual bool build_request(Endpoint endpoint, std::string_view openai_body,
                             const Deployment& deployment, UpstreamRequest* out,
                             Failure* failure) const = 0;
  // A 2xx non-streamed answer as the OpenAI response JSON text.
  virtual bool translate_response(Endpoint endpoint, std::string_view body,
                                  const ResponseContext& context, std::string* out,
                                  Failure* failure) const = 0;
  // A decoder for one streamed 2xx answer.
  virtual std::unique_ptr<StreamDecoder> stream_decoder(Endpoint endpoint,
                                                        const ResponseContext& context) const = 0;
  // A non-2xx answer: the status the client gets (the provider's, unless it maps to another)
  // and an OpenAI error keeping the provider's message, with deployment.api_key removed.
  virtual Failure translate_error(int status, std::string_view body,
                                  const Deployment& deployment) const = 0;
};

}  // namespace sluice::providers
