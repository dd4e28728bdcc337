// Mistral streams OpenAI's chat.completion.chunk events; each passes with the differences of
// response.cc translated (a delta's content list, "model_length"). A chunk stopped with
// finish_reason "error" fails the stream, as does an error object in band. "[DONE]" ends the
// stream and is not passed on (the caller adds its own). Mistral's last chunk carries the usage
// whether or not the client asked stream_options.include_usage: it is kept.

#include "providers/mistral/translation.h"

namespace sluice::providers::mistral {
namespace {

class MistralStreamDecoder final : public StreamDecoder {
 public:
  explicit MistralStreamDecoder(const ResponseContext& context) : model_(context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (failed_) return fail(failure, support::bad_upstream("Mistral's stream already failed"));
    const std::string_view text = trim(unit);
    if (text.empty() || done_) return true;
    if (text == "[DONE]") {
      done_ = true;
      return true;
    }
    rapidjson::Document event;
    if (!parse_json(text, &event) || !event.IsObject()) {
      return fail(failure,
                  support::bad_upstream("Mistral's stream sent data that is not a JSON object"));
    }
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
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    write_answer_object(event, model_, true, writer);
    chunks->emplace_back(buffer.GetString(), buffer.GetSize());
    return true;
  }

  // Complete after "[DONE]", or once a choice has finished (a caller that strips "[DONE]"
  // before feeding still ends well).
  bool finish(std::vector<std::string>*, Failure* failure) override {
    if (failed_) return fail(failure, support::bad_upstream("Mistral's stream already failed"));
    if (done_ || finished_) return true;
    return fail(failure, support::bad_upstream("Mistral's stream ended before [DONE]"));
  }

 private:
  bool fail(Failure* failure, Failure reason) {
    *failure = std::move(reason);
    failed_ = true;
    return false;
  }

  std::string model_;
  bool done_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder(const ResponseContext& context) {
  return std::make_unique<MistralStreamDecoder>(context);
}

}  // namespace sluice::providers::mistral
