#pragma once
// What the Bedrock adapter's files share; not part of any public surface.

#include <memory>
#include <string>
#include <string_view>

#include "providers/common/adapter.h"

namespace sluice::bedrock {

using providers::Deployment;
using providers::Failure;
using providers::ResponseContext;
using providers::UpstreamRequest;

// Settings (request.cc).
std::string endpoint_base(const Deployment& deployment);
std::string signing_region(const Deployment& deployment);
std::string check_deployment(const Deployment& deployment);

// Sets method, URL, headers, body and authentication of a request to the deployment.
void fill_request(const Deployment& deployment, std::string url, std::string body, bool stream,
                  UpstreamRequest* out);

// OpenAI chat completions -> Converse / ConverseStream (request.cc).
bool build_chat_request(std::string_view openai_body, const Deployment& deployment,
                        UpstreamRequest* out, Failure* failure);
// OpenAI embeddings -> InvokeModel for Titan or Cohere (embeddings.cc).
bool build_embeddings_request(std::string_view openai_body, const Deployment& deployment,
                              UpstreamRequest* out, Failure* failure);
// The URL of `operation` ("converse", "converse-stream", "invoke") for the deployment's model.
std::string model_url(const Deployment& deployment, std::string_view operation);

// Converse -> chat.completion (response.cc).
bool translate_chat_response(std::string_view body, const ResponseContext& context,
                             std::string* out, Failure* failure);
// InvokeModel embeddings -> OpenAI embeddings list (embeddings.cc).
bool translate_embeddings_response(std::string_view body, const ResponseContext& context,
                                   std::string* out, Failure* failure);
// Converse stopReason -> OpenAI finish_reason.
std::string_view finish_reason(std::string_view stop_reason);

// ConverseStream event-stream bytes -> chat.completion.chunk texts (stream.cc).
std::unique_ptr<providers::StreamDecoder> make_stream_decoder(const ResponseContext& context);

// Errors (errors.cc): an HTTP error answer, and an in-band stream exception.
Failure error_failure(int status, std::string_view body, const Deployment& deployment);
Failure exception_failure(std::string_view exception_type, std::string_view payload);
// The HTTP status Bedrock gives an exception name ("throttlingException" -> 429), case-blind.
int exception_status(std::string_view exception_type);

}  // namespace sluice::bedrock
