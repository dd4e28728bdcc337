#pragma once
// The stream decoder of a provider that streams OpenAI's chat.completion.chunk events with
// differences of its own (Azure OpenAI, Mistral). "[DONE]" ends the stream and is not passed on
// (the caller adds its own). An event whose facts the provider's `passes` accepts goes on as the
// provider's own text with only the model replaced (ChunkModelRewriter); any other is parsed and
// handed to the provider's hooks: failure_of() for what it stands for (an error in band),
// write() for the translated chunk. The stream is complete after "[DONE]", or once a choice has
// finished (a caller that strips "[DONE]" before feeding still ends well). One per response.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/common/adapter.h"
#include "providers/support/chunk_model_rewriter.h"
#include "providers/support/json.h"
#include "providers/support/reused_writer.h"

namespace sluice::providers::support {

class ChunkStreamDecoder : public StreamDecoder {
 public:
  // `provider` names the provider in failures ("Mistral's" -> "Mistral's stream ended before
  // [DONE]"), a literal (kept as a view); events are parsed no deeper than `max_depth`.
  ChunkStreamDecoder(const ResponseContext& context, std::string_view provider,
                     bool (*passes)(const ChunkFacts&), size_t max_depth);

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) final;
  bool finish(std::vector<std::string>* chunks, Failure* failure) final;

 protected:
  // What a parsed event stands for when it is a failure (an error object in band), else nullopt.
  virtual std::optional<Failure> failure_of(const JsonValue& event) const = 0;
  // The event as the client's chunk, with the client's model.
  virtual void write(const JsonValue& event, std::string_view model, JsonWriter& writer) const = 0;

 private:
  bool feed_document(std::string_view text, std::vector<std::string>* chunks, Failure* failure);
  bool fail(Failure* failure, std::string_view what);
  bool fail(Failure* failure, Failure reason);

  std::string model_;
  std::string_view provider_;
  bool (*passes_)(const ChunkFacts&);
  size_t max_depth_;
  ChunkModelRewriter rewriter_;
  ReusedWriter chunk_;
  bool done_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace sluice::providers::support
