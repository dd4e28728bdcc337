// Mistral streams OpenAI's chat.completion.chunk events; each passes with the differences of
// response.cc translated (a delta's content list, "model_length"). A chunk stopped with
// finish_reason "error" fails the stream, as does an error object in band. "[DONE]" ends the
// stream and is not passed on (the caller adds its own). Mistral's last chunk carries the usage
// whether or not the client asked stream_options.include_usage: it is kept. An event that needs
// no more than the client's model passes as Mistral's own text with the model replaced
// (ChunkModelRewriter, shared with Azure's OpenAI-shaped streams); any other is parsed and
// written again.

#include "providers/mistral/translation.h"
#include "providers/support/chunk_model_rewriter.h"
#include "providers/support/local_document.h"
#include "providers/support/reused_writer.h"

namespace sluice::providers::mistral {
namespace {

using support::ChunkFacts;
using support::ChunkModelRewriter;

// Whether an event the rewriter passed needs nothing of Mistral's translated: no error in band,
// no finish_reason but OpenAI's, no content list.
bool only_model_differs(const ChunkFacts& facts) {
  return !facts.error_object && !facts.object_is_error && !facts.unusual_finish &&
         !facts.content_list;
}

class MistralStreamDecoder final : public StreamDecoder {
 public:
  explicit MistralStreamDecoder(const ResponseContext& context)
      : model_(context.client_model), rewriter_(context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (failed_) return fail(failure, support::bad_upstream("Mistral's stream already failed"));
    const std::string_view text = trim(unit);
    if (text.empty() || done_) return true;
    if (text == "[DONE]") {
      done_ = true;
      return true;
    }
    using Result = ChunkModelRewriter::Result;
    const Result result = rewriter_.pass(text, only_model_differs, chunks, &finished_);
    if (result == Result::rewritten) return true;
    if (result == Result::not_an_object) return fail(failure, not_an_object());
    return feed_document(text, chunks, failure);
  }

  // Complete after "[DONE]", or once a choice has finished (a caller that strips "[DONE]"
  // before feeding still ends well).
  bool finish(std::vector<std::string>*, Failure* failure) override {
    if (failed_) return fail(failure, support::bad_upstream("Mistral's stream already failed"));
    if (done_ || finished_) return true;
    return fail(failure, support::bad_upstream("Mistral's stream ended before [DONE]"));
  }

 private:
  static Failure not_an_object() {
    return support::bad_upstream("Mistral's stream sent data that is not a JSON object");
  }

  // An event parsed into a document and written again, translated.
  bool feed_document(std::string_view text, std::vector<std::string>* chunks, Failure* failure) {
    support::EventDocument event;
    if (!parse_json(text, &event) || !event.IsObject()) return fail(failure, not_an_object());
    // An error in band has no HTTP status of its own.
    if (const JsonValue* error = member(event, "error"); error && error->IsObject()) {
      return fail(failure, failure_from_error_object(*error, 500, {}));
    }
    if (string_member(event, "object") == "error") {
      return fail(failure, failure_from_error_object(event, 500, {}));
    }
    if (stopped_with_error(event)) return fail(failure, generation_error());
    if (const JsonValue* choices = member(event, "choices"); choices && choices->IsArray()) {
      for (const JsonValue& choice : choices->GetArray()) {
        const JsonValue* reason = member(choice, "finish_reason");
        finished_ = finished_ || (reason && reason->IsString());
      }
    }
    write_answer_object(event, model_, true, chunk_.begin());
    chunks->push_back(chunk_.end());
    return true;
  }

  bool fail(Failure* failure, Failure reason) {
    *failure = std::move(reason);
    failed_ = true;
    return false;
  }

  std::string model_;
  ChunkModelRewriter rewriter_;
  support::ReusedWriter chunk_;
  bool done_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder(const ResponseContext& context) {
  return std::make_unique<MistralStreamDecoder>(context);
}

}  // namespace sluice::providers::mistral
