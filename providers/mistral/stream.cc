// Mistral streams OpenAI's chat.completion.chunk events (support::ChunkStreamDecoder); each
// passes with the differences of response.cc translated (a delta's content list,
// "model_length"). A chunk stopped with finish_reason "error" fails the stream, as does an error
// object in band. Mistral's last chunk carries the usage whether or not the client asked
// stream_options.include_usage: it is kept. An event that needs no more than the client's model
// passes as Mistral's own text with the model replaced; any other is parsed and written again.

#include "providers/mistral/translation.h"
#include "providers/support/chunk_stream_decoder.h"

namespace sluice::providers::mistral {
namespace {

// Whether an event the rewriter passed needs nothing of Mistral's translated: no error in band,
// no finish_reason but OpenAI's, no content list.
bool only_model_differs(const support::ChunkFacts& facts) {
  return !facts.error_object && !facts.object_is_error && !facts.unusual_finish &&
         !facts.content_list;
}

class MistralStreamDecoder final : public support::ChunkStreamDecoder {
 public:
  explicit MistralStreamDecoder(const ResponseContext& context)
      : ChunkStreamDecoder(context, "Mistral's", only_model_differs, kMaxJsonDepth) {}

 private:
  std::optional<Failure> failure_of(const JsonValue& event) const override {
    // An error in band has no HTTP status of its own.
    if (const JsonValue* error = member(event, "error"); error && error->IsObject()) {
      return failure_from_error_object(*error, 500, {});
    }
    if (string_member(event, "object") == "error") {
      return failure_from_error_object(event, 500, {});
    }
    if (stopped_with_error(event)) return generation_error();
    return std::nullopt;
  }

  void write(const JsonValue& event, std::string_view model, JsonWriter& writer) const override {
    write_answer_object(event, model, true, writer);
  }
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder(const ResponseContext& context) {
  return std::make_unique<MistralStreamDecoder>(context);
}

}  // namespace sluice::providers::mistral
