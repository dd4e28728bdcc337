// translate: providers with an API of their own (providers/<name>), through their adapter. The
// request is rebuilt whole for the provider (URL, headers, body, signature); the answer is
// translated back whole, event by event when it streams (ABI 1.4's stream_events_set turns one
// provider event, or one read of Bedrock's binary event stream, into OpenAI chunks), or as an
// OpenAI error object.

#include <ctime>
#include <vector>

#include "filters/common/json_text.h"
#include "filters/translate/embedding_base64.h"
#include "filters/translate/filter.h"

namespace sluice::filters::translate {
namespace {

// A request whose credentials are still being fetched (a source's first fetch: STS, the
// container agent, Google's token endpoint) asks again this often, this many times (10 s).
constexpr uint32_t kCredentialPollMs = 20;
constexpr uint32_t kCredentialPolls = 500;
constexpr uint64_t kCredentialToken = 0x637265640000ULL;  // "cred"

providers::Endpoint endpoint_at(size_t index) {
  switch (index) {
    case 1:
      return providers::Endpoint::completions;
    case 2:
      return providers::Endpoint::embeddings;
    default:
      return providers::Endpoint::chat_completions;
  }
}

// {"error":{"message","type","param","code"}} from an adapter's failure.
std::string error_body(const providers::Failure& failure) {
  return common::openai_error_body(
      failure.message,
      failure.type.empty() ? common::openai_error_type(failure.status) : failure.type,
      failure.param, failure.code);
}

bool is_stream_type(std::string_view content_type) {
  return content_type.starts_with("text/event-stream") ||
         content_type.starts_with("application/vnd.amazon.eventstream");
}

}  // namespace

Status Filter::prepare_adapted(size_t endpoint_index, bool has_body) {
  const providers::Adapter& adapter = *upstream_->adapter;
  endpoint_ = endpoint_at(endpoint_index);
  std::string_view path = stream().meta("request.path").value_or("");
  if (!upstream_->unusable.empty()) {
    stream().error(500, "deployment '" + upstream_->deployment.name + "': " + upstream_->unusable,
                   "provider_misconfigured");
    return LocalReply;
  }
  if (!adapter.supports(endpoint_)) {
    stream().error(
        400, "provider type '" + upstream_->provider_type + "' does not serve " + std::string(path),
        "unsupported_endpoint");
    return LocalReply;
  }
  if (!has_body) {
    stream().error(400, "The request needs a JSON body.", "invalid_request");
    return LocalReply;
  }
  for (const auto& [pointer, value] : upstream_->params) {
    if (!stream().json(Part::request, pointer)) stream().json_set(Part::request, pointer, value);
  }
  include_usage_ = stream().json(Part::request, "/stream_options/include_usage") ==
                   std::optional<std::string_view>("true");
  if (endpoint_ == providers::Endpoint::embeddings) {
    embeddings_base64_ = stream().json_string(Part::request, "/encoding_format") ==
                         std::optional<std::string_view>("base64");
  }
  if (endpoint_ == providers::Endpoint::chat_completions && upstream_->image_fetch.enabled &&
      !images_fetched_) {
    if (Status status = fetch_images(endpoint_index); status != Continue) return status;
  }
  providers::UpstreamRequest request;
  providers::Failure failure;
  if (!adapter.build_request(endpoint_, stream().body(Part::request), upstream_->deployment,
                             &request, &failure)) {
    stream().error(static_cast<uint32_t>(failure.status), failure.message, failure.code);
    return LocalReply;
  }
  bool waiting = false;
  if (!authorize(&request, &waiting)) {
    if (!waiting) return LocalReply;
    pending_endpoint_ = endpoint_index;
    stream().start_timer(kCredentialPollMs, kCredentialToken);
    return Stop;
  }
  stream().clear_headers(Part::request);
  for (const providers::Header& header : request.headers) {
    stream().add_header(Part::request, header.name, header.value);
  }
  stream().replace_body(Part::request, request.body);
  stream().set_meta("upstream.url", request.url);
  stream().set_meta("upstream.method", request.method);
  return Continue;
}

void Filter::on_op_done(const sluice_op_done& done) {
  if (is_image_token(done.token)) {
    image_fetched(done);
    return;
  }
  if (done.token != kCredentialToken) return;
  // Still the request phase, paused by prepare_adapted: try again from the top (every step
  // before the credentials is repeatable; nothing of the request was changed yet).
  ++credential_waits_;
  Status status = prepare_adapted(pending_endpoint_, true);
  if (status == Continue) stream().resume();
}

bool Filter::authorize(providers::UpstreamRequest* request, bool* waiting) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const auto unavailable = [&](const std::string& why) {
    if (credential_waits_ < kCredentialPolls) {
      *waiting = true;
      return false;
    }
    stream().error(503,
                   "deployment '" + upstream_->deployment.name + "': no credentials yet: " + why,
                   "credentials_unavailable");
    return false;
  };
  if (request->auth == providers::Auth::google_oauth) {
    if (!upstream_->google_source) {
      stream().error(500, "deployment '" + upstream_->deployment.name + "' has no token source",
                     "provider_misconfigured");
      return false;
    }
    std::optional<std::string> token = upstream_->google_source->current(now);
    if (!token) return unavailable(upstream_->google_source->status().message);
    request->headers.push_back({"authorization", "Bearer " + *token});
    return true;
  }
  if (request->auth != providers::Auth::aws_sigv4) return true;
  if (!upstream_->aws_source) {
    stream().error(500, "deployment '" + upstream_->deployment.name + "' has no AWS credentials",
                   "provider_misconfigured");
    return false;
  }
  std::optional<aws::Credentials> credentials = upstream_->aws_source->current(now);
  if (!credentials) return unavailable(upstream_->aws_source->status().message);
  aws::HeaderList headers;
  headers.reserve(request->headers.size() + 3);
  for (providers::Header& header : request->headers) {
    headers.emplace_back(std::move(header.name), std::move(header.value));
  }
  std::string error;
  if (!aws::sign_request(request->method, request->url, request->body, request->signing_region,
                         request->signing_service, *credentials, now, &headers, &error)) {
    stream().error(
        500,
        "cannot sign the request for deployment '" + upstream_->deployment.name + "': " + error,
        "signing_failed");
    return false;
  }
  request->headers.clear();
  for (auto& [name, value] : headers) {
    request->headers.push_back({std::move(name), std::move(value)});
  }
  return true;
}

providers::ResponseContext Filter::response_context() {
  if (response_id_.empty()) {
    response_id_ = "chatcmpl-" + std::string(stream().meta("request.id").value_or(""));
  }
  providers::ResponseContext context;
  context.client_model = stream().meta("route.model").value_or("");
  context.response_id = response_id_;
  context.created = static_cast<int64_t>(std::time(nullptr));
  return context;
}

Status Filter::adapted_response_headers(bool end_of_stream) {
  const uint32_t status = upstream_status();
  if (status == 0) return Continue;  // a reply of a filter after this one
  if (status < 200 || status > 299) {
    if (end_of_stream) adapted_error(status);  // no body hook follows
    return Continue;
  }
  std::string_view type = stream().header(Part::response, "content-type").value_or("");
  if (!end_of_stream && is_stream_type(type)) {
    decoder_ = upstream_->adapter->stream_decoder(endpoint_, response_context());
    stream().set_header(Part::response, "content-type", "text/event-stream");
  }
  return Continue;
}

Status Filter::adapted_response_body(bool end_of_stream) {
  const uint32_t status = upstream_status();
  if (status == 0) return Continue;
  if (status < 200 || status > 299) {
    adapted_error(status);
    return Continue;
  }
  if (decoder_) {
    adapted_stream_unit(end_of_stream);
    return Continue;
  }
  std::string translated;
  providers::Failure failure;
  if (!upstream_->adapter->translate_response(endpoint_, stream().body(Part::response),
                                              response_context(), &translated, &failure)) {
    failure.status = 502;
    stream().set_status(502);
    stream().set_header(Part::response, "content-type", "application/json");
    stream().replace_body(Part::response, error_body(failure));
    return Continue;
  }
  if (embeddings_base64_) {
    // Providers answer numbers; the OpenAI SDKs ask base64 by default and decode it.
    if (std::optional<std::string> encoded = embeddings_as_base64(translated)) {
      translated = std::move(*encoded);
    }
  }
  stream().set_header(Part::response, "content-type", "application/json");
  stream().replace_body(Part::response, translated);
  // The host parses the new body once, at the first of these reads: its usage is read from there.
  Usage usage;
  read_usage_numbers(stream().json_number(Part::response, "/usage/prompt_tokens"),
                     stream().json_number(Part::response, "/usage/completion_tokens"),
                     stream().json_number(Part::response, "/usage/total_tokens"), &usage);
  record(usage);
  return Continue;
}

void Filter::adapted_error(uint32_t status) {
  providers::Failure failure = upstream_->adapter->translate_error(
      static_cast<int>(status), stream().body(Part::response), upstream_->deployment);
  if (failure.status >= 100 && failure.status <= 599 &&
      static_cast<uint32_t>(failure.status) != status) {
    stream().set_status(static_cast<uint32_t>(failure.status));
  }
  stream().set_header(Part::response, "content-type", "application/json");
  stream().replace_body(Part::response, error_body(failure));
}

void Filter::adapted_stream_unit(bool end_of_stream) {
  std::vector<std::string> chunks;
  if (!stream_failed_) {
    providers::Failure failure;
    const bool ok = end_of_stream
                        ? decoder_->finish(&chunks, &failure)
                        : decoder_->feed(stream().body(Part::response), &chunks, &failure);
    if (!ok) {
      // An error inside the stream (a provider's error event, a broken frame): OpenAI's clients
      // read an error object as the stream's last event. Nothing after it goes out.
      chunks.push_back(error_body(failure));
      stream_failed_ = true;
    } else if (end_of_stream) {
      chunks.emplace_back("[DONE]");
    }
    Usage usage;
    for (const std::string& chunk : chunks) {
      if (chunk.find("\"usage\"") != std::string::npos) rewrite_json(chunk, {}, &usage);
    }
    if (usage.any()) record(usage);
    if (!include_usage_) {
      // The adapters always end with a usage chunk (the access log counts from it); OpenAI
      // sends one only when asked, and a client that did not ask gets none.
      std::erase_if(chunks, [](const std::string& chunk) {
        return chunk.find("\"choices\":[]") != std::string::npos &&
               chunk.find("\"usage\":{") != std::string::npos;
      });
    }
  }
  stream().set_events(chunks);
}

}  // namespace sluice::filters::translate
