#pragma once
// translate: the per-attempt filter after route. On the way out it turns the client's request
// into the request for the attempt's deployment: the upstream URL (metadata upstream.url), only
// the headers the provider needs (no client header passes: the client's Authorization is a
// gateway key), the provider's model id and the deployment's default params. On the way back it
// gives the client its own model name, records token usage, normalises error bodies to OpenAI's
// shape and drops response headers that could carry a credential.
//
// Metadata read: route.model, request.path, request.method. Written: upstream.url,
// upstream.method, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens.

#include <sluice/filter.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "filters/translate/answer_ends.h"
#include "filters/translate/config.h"
#include "filters/translate/image_fetch.h"
#include "filters/translate/sse.h"

namespace sluice::filters::translate {

class Filter : public sluice::Filter {
 public:
  Filter(const Config& config, Stream stream) : sluice::Filter(stream), config_(config) {}
  Status on_request_headers(bool end_of_stream) override;
  Status on_request_body() override;
  Status on_response_headers(bool end_of_stream) override;
  Status on_response_body(bool end_of_stream) override;
  void on_op_done(const sluice_op_done& done) override;

 private:
  Status prepare(bool has_body);
  const Upstream* resolve(const sluice_attempt& attempt, std::string_view* model_json,
                          std::string* quoted) const;
  void replace_all_headers(bool stream_requested);
  uint32_t upstream_status() const;
  void normalise_error(uint32_t status);
  void rewrite_success();
  const std::string& quoted_model(std::string_view model);  // model_quoted_, kept current
  void record(const Usage& usage);

  // Providers with an API of their own, through their adapter (adapted.cc).
  Status prepare_adapted(size_t endpoint, bool has_body);
  // Adds the request's credentials: false when they are not known yet (*waiting: the caller
  // waits and tries again) or cannot be had (an error reply was sent).
  bool authorize(providers::UpstreamRequest* request, bool* waiting);
  providers::ResponseContext response_context();
  Status adapted_response_headers(bool end_of_stream);
  Status adapted_response_body(bool end_of_stream);
  void adapted_error(uint32_t status);
  void adapted_stream_unit(bool end_of_stream);

  // The image-fetch step before an adapter builds a chat request (fetch_images.cc): Continue
  // when there is nothing (more) to fetch, Stop while fetches run, LocalReply on a refusal.
  static constexpr uint64_t kImageToken = 0x696d670000000000ULL;  // "img", index below
  static bool is_image_token(uint64_t token);
  Status fetch_images(size_t endpoint_index);
  void image_fetched(const sluice_op_done& done);
  void cancel_image_fetches();

  const Config& config_;
  const Upstream* upstream_ = nullptr;
  providers::Endpoint endpoint_ = providers::Endpoint::chat_completions;
  std::unique_ptr<providers::StreamDecoder> decoder_;  // a streamed answer being translated
  bool stream_failed_ = false;      // the decoder reported an error: the rest is dropped
  bool embeddings_base64_ = false;  // the client asked encoding_format "base64"
  bool include_usage_ = false;      // the client asked stream_options.include_usage
  bool stream_requested_ = false;   // the request asked for a stream ("stream": true)
  // Waiting for a credential source's first credentials: where prepare_adapted resumes.
  size_t pending_endpoint_ = 0;
  uint32_t credential_waits_ = 0;
  std::string response_id_;  // "chatcmpl-<request id>", for answers without an id
  AnswerHead answer_head_;   // the last stream event's leading members (read_answer_ends)
  // The client's model name as a JSON string, for every event of a stream: made once.
  std::optional<std::string> model_quoted_for_;
  std::string model_quoted_;
  // Image fetches of this attempt: each URL's op (0 once done) and data: URL.
  struct PendingImage {
    ImageRef ref;
    uint64_t op = 0;
    std::string data_url;
  };
  std::vector<PendingImage> images_;
  size_t images_pending_ = 0;
  bool images_fetched_ = false;  // done (or nothing to fetch): build the request
};

// The provider path for a client path, as its place in kEndpoints ("/chat/completions",
// "/completions", "/embeddings"); nullopt for a path translate v1 does not serve.
std::optional<size_t> endpoint_for(std::string_view client_path);

}  // namespace sluice::filters::translate
