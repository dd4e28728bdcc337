// The chain's OpenAI chunks -> ConverseStream's events, framed by the host's FrameWriter, in
// AWS's order: messageStart; per block contentBlockStart (tool use only: a text block starts
// with its first delta, as AWS sends them), contentBlockDelta..., contentBlockStop;
// messageStop with the stopReason; metadata with usage and metrics last. An in-band failure is
// one exception frame.

#include <string>

#include "core/apis/bedrock_internal.h"
#include "core/apis/chunk_stream_encoder.h"

namespace sluice::apis::bedrock {
namespace {

class BedrockStreamEncoder final : public ChunkStreamEncoder {
 public:
  BedrockStreamEncoder(const AnswerContext& context, FrameWriter writer)
      : latency_ms_(context.latency_ms), frame_writer_(writer) {}

  std::string_view content_type() const override { return "application/vnd.amazon.eventstream"; }

 private:
  JsonOut& open() {
    writer_.restart();
    writer_.StartObject();
    return writer_;
  }
  JsonOut& open_block_event(int64_t block) {
    JsonOut& w = open();
    write_key(w, "contentBlockIndex");
    w.Int64(block);
    return w;
  }
  void emit(bool exception, std::string_view type, std::string* out) {
    writer_.EndObject();
    if (frame_writer_) {
      frame_writer_(exception, type, writer_.text(), out);
    }
  }

  void on_message_start(std::string_view, const OpenAiUsage&, std::string* out) override {
    JsonOut& w = open();
    write_key(w, "role");
    write_literal(w, "assistant");
    emit(false, "messageStart", out);
  }

  void on_text_start(int64_t, std::string*) override {}

  void on_text_delta(int64_t block, std::string_view text, std::string* out) override {
    JsonOut& w = open_block_event(block);
    write_key(w, "delta");
    w.StartObject();
    write_key(w, "text");
    write_string(w, text);
    w.EndObject();
    emit(false, "contentBlockDelta", out);
  }

  void on_tool_start(int64_t block, std::string_view id, std::string_view name,
                     std::string* out) override {
    JsonOut& w = open_block_event(block);
    write_key(w, "start");
    w.StartObject();
    write_key(w, "toolUse");
    w.StartObject();
    write_key(w, "toolUseId");
    write_string(w, id);
    write_key(w, "name");
    write_string(w, name);
    w.EndObject();
    w.EndObject();
    emit(false, "contentBlockStart", out);
  }

  void on_tool_delta(int64_t block, std::string_view fragment, std::string* out) override {
    JsonOut& w = open_block_event(block);
    write_key(w, "delta");
    w.StartObject();
    write_key(w, "toolUse");
    w.StartObject();
    write_key(w, "input");
    write_string(w, fragment);
    w.EndObject();
    w.EndObject();
    emit(false, "contentBlockDelta", out);
  }

  void on_block_stop(int64_t block, std::string* out) override {
    open_block_event(block);
    emit(false, "contentBlockStop", out);
  }

  void on_stop(std::string_view finish_reason, std::string* out) override {
    JsonOut& w = open();
    write_key(w, "stopReason");
    write_string(w, stop_reason(finish_reason));
    emit(false, "messageStop", out);
  }

  void on_usage(std::string_view, const OpenAiUsage& usage, std::string* out) override {
    JsonOut& w = open();
    write_key(w, "usage");
    write_usage(w, usage);
    write_key(w, "metrics");
    w.StartObject();
    write_key(w, "latencyMs");
    w.Int64(latency_ms_);
    w.EndObject();
    emit(false, "metadata", out);
  }

  void on_end(std::string*) override {}

  void on_error(const ApiError& error, std::string* out) override {
    JsonOut& w = open();
    write_key(w, "message");
    write_string(w, error.message);
    emit(true, stream_exception_name(error.status), out);
  }

  int64_t latency_ms_;
  FrameWriter frame_writer_;
  std::string event_json_;  // each event's JSON, its capacity reused
  JsonOut writer_{&event_json_};
};

}  // namespace

std::unique_ptr<StreamEncoder> make_stream_encoder(const AnswerContext& context,
                                                   FrameWriter writer) {
  return std::make_unique<BedrockStreamEncoder>(context, writer);
}

}  // namespace sluice::apis::bedrock
