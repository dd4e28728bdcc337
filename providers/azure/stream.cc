// Azure OpenAI streams are OpenAI's chat.completion.chunk (or text_completion) events: each one
// passes with the client's model name. "[DONE]" ends the stream and is not passed (the caller
// adds its own). Azure's first event often has no choices and only prompt_filter_results: it is
// kept, as OpenAI clients skip chunks without choices. An event passes as Azure's own text with
// the model replaced (ChunkModelRewriter); only one the rewriter leaves to a document (an error
// in band, an event split over lines) is parsed and written again.

#include "providers/azure/translation.h"
#include "providers/support/chunk_model_rewriter.h"
#include "providers/support/reused_writer.h"

namespace sluice::providers::azure {
namespace {

// Whether an event the rewriter passed can go as it is: an error in band is read from the
// document instead.
bool no_error_in_band(const support::ChunkFacts& facts) {
  return !facts.error_object;
}

class ChunkStreamDecoder final : public StreamDecoder {
 public:
  explicit ChunkStreamDecoder(const ResponseContext& context)
      : model_(context.client_model), rewriter_(context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (failed_) {
      *failure = support::bad_upstream("Azure OpenAI's stream already failed");
      return false;
    }
    const std::string_view text = trim(unit);
    if (text.empty() || done_) return true;
    if (text == "[DONE]") {
      done_ = true;
      return true;
    }
    using Result = support::ChunkModelRewriter::Result;
    const Result result = rewriter_.pass(text, no_error_in_band, chunks, &finished_);
    if (result == Result::rewritten) return true;
    if (result == Result::not_an_object) return fail(failure, not_an_object());
    return feed_document(text, chunks, failure);
  }

  // Complete after "[DONE]", or once a choice has finished (a caller that strips "[DONE]"
  // before feeding still ends well).
  bool finish(std::vector<std::string>*, Failure* failure) override {
    if (failed_) {
      *failure = support::bad_upstream("Azure OpenAI's stream already failed");
      return false;
    }
    if (done_ || finished_) return true;
    return fail(failure, support::bad_upstream("Azure OpenAI's stream ended before [DONE]"));
  }

 private:
  static Failure not_an_object() {
    return support::bad_upstream("Azure OpenAI's stream sent data that is not a JSON object");
  }

  // An event parsed into a document and written again with the client's model.
  bool feed_document(std::string_view text, std::vector<std::string>* chunks, Failure* failure) {
    support::EventDocument event;
    if (!parse_json(text, &event) || !event.IsObject()) return fail(failure, not_an_object());
    if (const JsonValue* error = member(event, "error"); error && error->IsObject()) {
      // An error in band has no HTTP status of its own.
      return fail(failure, failure_from_error_object(*error, 500, {}));
    }
    if (const JsonValue* choices = member(event, "choices"); choices && choices->IsArray()) {
      for (const auto& choice : choices->GetArray()) {
        const JsonValue* reason = member(choice, "finish_reason");
        finished_ = finished_ || (reason && reason->IsString());
      }
    }
    write_with_model(event, model_, chunk_.begin());
    chunks->push_back(chunk_.end());
    return true;
  }

  bool fail(Failure* failure, Failure reason) {
    *failure = std::move(reason);
    failed_ = true;
    return false;
  }

  std::string model_;
  support::ChunkModelRewriter rewriter_;
  support::ReusedWriter chunk_;
  bool done_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_chunk_stream_decoder(const ResponseContext& context) {
  return std::make_unique<ChunkStreamDecoder>(context);
}

}  // namespace sluice::providers::azure
