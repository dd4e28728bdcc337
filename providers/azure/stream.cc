// Azure OpenAI streams are OpenAI's chat.completion.chunk (or text_completion) events: each one
// passes with the client's model name. "[DONE]" ends the stream and is not passed (the caller
// adds its own). Azure's first event often has no choices and only prompt_filter_results: it is
// kept, as OpenAI clients skip chunks without choices.

#include "providers/azure/translation.h"
#include "providers/support/reused_writer.h"

namespace sluice::providers::azure {
namespace {

class ChunkStreamDecoder final : public StreamDecoder {
 public:
  explicit ChunkStreamDecoder(const ResponseContext& context) : model_(context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (failed_) {
      *failure = unreadable_answer("Azure OpenAI's stream already failed");
      return false;
    }
    const std::string_view text = trim(unit);
    if (text.empty() || done_) return true;
    if (text == "[DONE]") {
      done_ = true;
      return true;
    }
    support::EventDocument event;
    if (!parse_json(text, &event) || !event.IsObject()) {
      return fail(failure, unreadable_answer("Azure OpenAI's stream sent data that is not a "
                                             "JSON object"));
    }
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

  // Complete after "[DONE]", or once a choice has finished (a caller that strips "[DONE]"
  // before feeding still ends well).
  bool finish(std::vector<std::string>*, Failure* failure) override {
    if (failed_) {
      *failure = unreadable_answer("Azure OpenAI's stream already failed");
      return false;
    }
    if (done_ || finished_) return true;
    return fail(failure, unreadable_answer("Azure OpenAI's stream ended before [DONE]"));
  }

 private:
  bool fail(Failure* failure, Failure reason) {
    *failure = std::move(reason);
    failed_ = true;
    return false;
  }

  std::string model_;
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
