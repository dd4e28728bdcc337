// Azure OpenAI streams are OpenAI's chat.completion.chunk (or text_completion) events: each one
// passes with the client's model name (support::ChunkStreamDecoder). Azure's first event often
// has no choices and only prompt_filter_results: it is kept, as OpenAI clients skip chunks
// without choices. An event passes as Azure's own text with the model replaced; only one the
// rewriter leaves to a document (an error in band, an event split over lines) is parsed and
// written again.

#include "providers/azure/translation.h"
#include "providers/support/chunk_stream_decoder.h"

namespace sluice::providers::azure {
namespace {

// Whether an event the rewriter passed can go as it is: an error in band is read from the
// document instead.
bool no_error_in_band(const support::ChunkFacts& facts) {
  return !facts.error_object;
}

class AzureStreamDecoder final : public support::ChunkStreamDecoder {
 public:
  explicit AzureStreamDecoder(const ResponseContext& context)
      : ChunkStreamDecoder(context, "Azure OpenAI's", no_error_in_band, kMaxJsonDepth) {}

 private:
  std::optional<Failure> failure_of(const JsonValue& event) const override {
    if (const JsonValue* error = member(event, "error"); error && error->IsObject()) {
      // An error in band has no HTTP status of its own.
      return failure_from_error_object(*error, 500, {});
    }
    return std::nullopt;
  }

  void write(const JsonValue& event, std::string_view model, JsonWriter& writer) const override {
    write_with_model(event, model, writer);
  }
};

}  // namespace

std::unique_ptr<StreamDecoder> make_chunk_stream_decoder(const ResponseContext& context) {
  return std::make_unique<AzureStreamDecoder>(context);
}

}  // namespace sluice::providers::azure
