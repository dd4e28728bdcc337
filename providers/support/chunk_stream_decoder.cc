// ChunkStreamDecoder: an OpenAI-shaped stream passed on chunk by chunk (see the header).

#include "providers/support/chunk_stream_decoder.h"

#include "providers/support/local_document.h"
#include "providers/support/text.h"

namespace sluice::providers::support {

ChunkStreamDecoder::ChunkStreamDecoder(const ResponseContext& context, std::string_view provider,
                                       bool (*passes)(const ChunkFacts&), size_t max_depth)
    : model_(context.client_model),
      provider_(provider),
      passes_(passes),
      max_depth_(max_depth),
      rewriter_(context.client_model) {}

bool ChunkStreamDecoder::feed(std::string_view unit, std::vector<std::string>* chunks,
                              Failure* failure) {
  if (failed_) return fail(failure, "stream already failed");
  const std::string_view text = trim(unit);
  if (text.empty() || done_) return true;
  if (text == "[DONE]") {
    done_ = true;
    return true;
  }
  using Result = ChunkModelRewriter::Result;
  const Result result = rewriter_.pass(text, passes_, chunks, &finished_);
  if (result == Result::rewritten) return true;
  if (result == Result::not_an_object) {
    return fail(failure, "stream sent data that is not a JSON object");
  }
  return feed_document(text, chunks, failure);
}

bool ChunkStreamDecoder::finish(std::vector<std::string>*, Failure* failure) {
  if (failed_) return fail(failure, "stream already failed");
  if (done_ || finished_) return true;
  return fail(failure, "stream ended before [DONE]");
}

bool ChunkStreamDecoder::feed_document(std::string_view text, std::vector<std::string>* chunks,
                                       Failure* failure) {
  EventDocument event;
  if (!parse_json(text, &event, max_depth_) || !event.IsObject()) {
    return fail(failure, "stream sent data that is not a JSON object");
  }
  if (std::optional<Failure> reason = failure_of(event)) return fail(failure, std::move(*reason));
  if (const JsonValue* choices = member(event, "choices"); choices && choices->IsArray()) {
    for (const JsonValue& choice : choices->GetArray()) {
      const JsonValue* reason = member(choice, "finish_reason");
      finished_ = finished_ || (reason && reason->IsString());
    }
  }
  write(event, model_, chunk_.begin());
  chunks->push_back(chunk_.end());
  return true;
}

bool ChunkStreamDecoder::fail(Failure* failure, std::string_view what) {
  return fail(failure, bad_upstream(std::string(provider_) + " " + std::string(what)));
}

bool ChunkStreamDecoder::fail(Failure* failure, Failure reason) {
  *failure = std::move(reason);
  failed_ = true;
  return false;
}

}  // namespace sluice::providers::support
