// The chain's OpenAI chunks -> Anthropic's named SSE events, in Anthropic's order:
// message_start, ping, then per block content_block_start / content_block_delta... /
// content_block_stop, message_delta (stop_reason and usage) once both the finish reason and the
// usage are known, message_stop at the end; an in-band failure is an "error" event.

#include <string>

#include "core/apis/anthropic_internal.h"
#include "core/apis/chunk_stream_encoder.h"

namespace sluice::apis::anthropic {
namespace {

class AnthropicStreamEncoder final : public ChunkStreamEncoder {
 public:
  explicit AnthropicStreamEncoder(const AnswerContext& context)
      : client_model_(context.client_model) {}

  std::string_view content_type() const override { return "text/event-stream"; }

 private:
  // Starts an event's JSON object with its "type" member.
  JsonOut& open(std::string_view type) {
    writer_.restart();
    writer_.StartObject();
    write_key(writer_, "type");
    write_string(writer_, type);
    return writer_;
  }
  // Ends the object and appends "event: <type>\ndata: <json>\n\n".
  void emit(std::string_view type, std::string* out) {
    writer_.EndObject();
    out->append("event: ").append(type).append("\ndata: ");
    out->append(writer_.text());
    out->append("\n\n");
  }
  void write_index(int64_t block) {
    write_key(writer_, "index");
    writer_.Int64(block);
  }

  void on_message_start(std::string_view openai_id, const OpenAiUsage& usage,
                        std::string* out) override {
    JsonOut& w = open("message_start");
    write_key(w, "message");
    w.StartObject();
    write_key(w, "id");
    write_string(w, message_id(openai_id));
    write_key(w, "type");
    write_literal(w, "message");
    write_key(w, "role");
    write_literal(w, "assistant");
    write_key(w, "model");
    write_string(w, client_model_);
    write_key(w, "content");
    w.StartArray();
    w.EndArray();
    write_key(w, "stop_reason");
    w.Null();
    write_key(w, "stop_sequence");
    w.Null();
    write_key(w, "usage");
    w.StartObject();
    write_key(w, "input_tokens");
    w.Int64(usage.uncached_prompt_tokens());
    write_key(w, "output_tokens");
    w.Int64(0);
    w.EndObject();
    w.EndObject();
    emit("message_start", out);
    open("ping");
    emit("ping", out);
  }

  void on_text_start(int64_t block, std::string* out) override {
    JsonOut& w = open("content_block_start");
    write_index(block);
    write_key(w, "content_block");
    w.StartObject();
    write_key(w, "type");
    write_literal(w, "text");
    write_key(w, "text");
    write_literal(w, "");
    w.EndObject();
    emit("content_block_start", out);
  }

  void on_text_delta(int64_t block, std::string_view text, std::string* out) override {
    JsonOut& w = open("content_block_delta");
    write_index(block);
    write_key(w, "delta");
    w.StartObject();
    write_key(w, "type");
    write_literal(w, "text_delta");
    write_key(w, "text");
    write_string(w, text);
    w.EndObject();
    emit("content_block_delta", out);
  }

  void on_tool_start(int64_t block, std::string_view id, std::string_view name,
                     std::string* out) override {
    JsonOut& w = open("content_block_start");
    write_index(block);
    write_key(w, "content_block");
    w.StartObject();
    write_key(w, "type");
    write_literal(w, "tool_use");
    write_key(w, "id");
    write_string(w, id);
    write_key(w, "name");
    write_string(w, name);
    write_key(w, "input");
    w.StartObject();
    w.EndObject();
    w.EndObject();
    emit("content_block_start", out);
  }

  void on_tool_delta(int64_t block, std::string_view fragment, std::string* out) override {
    JsonOut& w = open("content_block_delta");
    write_index(block);
    write_key(w, "delta");
    w.StartObject();
    write_key(w, "type");
    write_literal(w, "input_json_delta");
    write_key(w, "partial_json");
    write_string(w, fragment);
    w.EndObject();
    emit("content_block_delta", out);
  }

  void on_block_stop(int64_t block, std::string* out) override {
    open("content_block_stop");
    write_index(block);
    emit("content_block_stop", out);
  }

  // message_delta waits for the usage, which comes after the finish reason.
  void on_stop(std::string_view, std::string*) override {}

  void on_usage(std::string_view finish_reason, const OpenAiUsage& usage,
                std::string* out) override {
    JsonOut& w = open("message_delta");
    write_key(w, "delta");
    w.StartObject();
    write_key(w, "stop_reason");
    write_string(w, stop_reason(finish_reason));
    write_key(w, "stop_sequence");
    w.Null();
    w.EndObject();
    // Cumulative, as Anthropic's are; the input side too, since message_start did not know it.
    write_key(w, "usage");
    w.StartObject();
    if (usage.known) {
      write_key(w, "input_tokens");
      w.Int64(usage.uncached_prompt_tokens());
      write_key(w, "cache_creation_input_tokens");
      w.Int64(usage.cache_creation_tokens);
      write_key(w, "cache_read_input_tokens");
      w.Int64(usage.cached_tokens);
    }
    write_key(w, "output_tokens");
    w.Int64(usage.completion_tokens);
    w.EndObject();
    emit("message_delta", out);
  }

  void on_end(std::string* out) override {
    open("message_stop");
    emit("message_stop", out);
  }

  void on_error(const ApiError& error, std::string* out) override {
    JsonOut& w = open("error");
    write_key(w, "error");
    w.StartObject();
    write_key(w, "type");
    write_string(w, error_type(error.status));
    write_key(w, "message");
    write_string(w, error.message);
    w.EndObject();
    emit("error", out);
  }

  std::string client_model_;
  std::string event_json_;  // each event's JSON, its capacity reused
  JsonOut writer_{&event_json_};
};

}  // namespace

std::unique_ptr<StreamEncoder> make_stream_encoder(const AnswerContext& context) {
  return std::make_unique<AnthropicStreamEncoder>(context);
}

}  // namespace sluice::apis::anthropic
