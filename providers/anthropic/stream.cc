// Anthropic stream: the Messages API's typed events (message_start, content_block_start/delta/
// stop, message_delta, message_stop, ping, error) as OpenAI chat.completion.chunk objects.
// Anthropic numbers content blocks across text and tool calls; OpenAI numbers tool calls alone,
// so the decoder keeps which block is which call.

#include <map>
#include <string>
#include <vector>

#include "providers/anthropic/translation.h"
#include "providers/anthropic/usage.h"

namespace sluice::providers::anthropic {
namespace {

class MessageStreamDecoder final : public StreamDecoder {
 public:
  explicit MessageStreamDecoder(const ResponseContext& context)
      : model_(context.client_model), created_(context.created), writer_(delta_) {
    set_id(context.response_id);
  }

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override;
  bool finish(std::vector<std::string>* chunks, Failure* failure) override;

 private:
  struct ToolCall {
    int index = 0;               // OpenAI's tool-call index
    bool has_arguments = false;  // some argument text was sent
  };

  bool on_event(std::string_view type, const JsonValue& event, std::vector<std::string>* chunks,
                Failure* failure);
  void on_block_start(const JsonValue& event, std::vector<std::string>* chunks);
  void on_block_delta(const JsonValue& event, std::vector<std::string>* chunks);
  void on_block_stop(const JsonValue& event, std::vector<std::string>* chunks);
  void on_message_delta(const JsonValue& event, std::vector<std::string>* chunks);

  // One chunk with one choice whose delta `write_delta` writes; finish_reason (one of
  // finish_reason_for's words) null when empty.
  template <typename WriteDelta>
  void emit(std::vector<std::string>* chunks, WriteDelta write_delta,
            std::string_view finish_reason = {});
  void emit_text(std::vector<std::string>* chunks, std::string_view text);
  void emit_arguments(std::vector<std::string>* chunks, int index, std::string_view text);
  void emit_usage(std::vector<std::string>* chunks);
  void set_id(std::string_view id);

  std::string model_;
  int64_t created_;
  // Every chunk starts alike: {"id":..,"object":..,"created":..,"model":.., written once.
  std::string head_;
  // The variable part of a chunk is written here, by one writer kept for the whole stream.
  rapidjson::StringBuffer delta_;
  JsonWriter writer_;
  Usage usage_;
  std::map<int64_t, ToolCall> tool_calls_;  // by Anthropic's block index
  int next_tool_index_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool failed_ = false;
};

int64_t block_index(const JsonValue& event) {
  const JsonValue* index = member(event, "index");
  return index && index->IsInt64() ? index->GetInt64() : -1;
}

bool MessageStreamDecoder::feed(std::string_view unit, std::vector<std::string>* chunks,
                                Failure* failure) {
  if (failed_) {
    *failure = unreadable_answer("Anthropic's stream already failed");
    return false;
  }
  const std::string_view text = trim(unit);
  if (text.empty() || stopped_) return true;  // nothing, or after the end: nothing owed
  support::EventDocument event;
  const std::string_view type =
      parse_json(text, &event) ? string_member(event, "type") : std::string_view();
  if (type.empty()) {
    failed_ = true;
    *failure =
        unreadable_answer("Anthropic's stream sent an event that is not a typed JSON object");
    return false;
  }
  if (!on_event(type, event, chunks, failure)) {
    failed_ = true;
    return false;
  }
  return true;
}

bool MessageStreamDecoder::on_event(std::string_view type, const JsonValue& event,
                                    std::vector<std::string>* chunks, Failure* failure) {
  if (type == "message_start") {
    if (started_) return true;
    started_ = true;
    const JsonValue* message = member(event, "message");
    if (message) {
      if (std::string_view id = string_member(*message, "id"); !id.empty()) set_id(id);
      if (const JsonValue* usage = member(*message, "usage")) usage_ = read_usage(*usage, usage_);
    }
    emit(chunks, [](JsonWriter& writer) {
      writer.Key("role");
      writer.String("assistant");
      writer.Key("content");
      writer.String("");
    });
  } else if (type == "content_block_start") {
    on_block_start(event, chunks);
  } else if (type == "content_block_delta") {
    on_block_delta(event, chunks);
  } else if (type == "content_block_stop") {
    on_block_stop(event, chunks);
  } else if (type == "message_delta") {
    on_message_delta(event, chunks);
  } else if (type == "message_stop") {
    stopped_ = true;
  } else if (type == "error") {
    const JsonValue* error = member(event, "error");
    *failure = failure_from_error_object(error ? *error : event, 0, {});
    return false;
  }  // ping, and event types added later, carry nothing for the client
  return true;
}

void MessageStreamDecoder::on_block_start(const JsonValue& event,
                                          std::vector<std::string>* chunks) {
  const JsonValue* block = member(event, "content_block");
  if (!block) return;
  const std::string_view type = string_member(*block, "type");
  if (type == "text") {
    emit_text(chunks, string_member(*block, "text"));
    return;
  }
  if (type != "tool_use") return;  // thinking and server tool blocks have no OpenAI counterpart
  const int64_t block_at = block_index(event);
  if (tool_calls_.count(block_at)) return;
  const int index = next_tool_index_++;
  tool_calls_[block_at].index = index;
  // The input arrives as input_json_delta text; the block's own "input" is an empty object.
  emit(chunks, [&](JsonWriter& writer) {
    writer.Key("tool_calls");
    writer.StartArray();
    writer.StartObject();
    writer.Key("index");
    writer.Int(index);
    writer.Key("id");
    write_string(writer, string_member(*block, "id"));
    writer.Key("type");
    writer.String("function");
    writer.Key("function");
    writer.StartObject();
    writer.Key("name");
    write_string(writer, string_member(*block, "name"));
    writer.Key("arguments");
    writer.String("");
    writer.EndObject();
    writer.EndObject();
    writer.EndArray();
  });
}

void MessageStreamDecoder::on_block_delta(const JsonValue& event,
                                          std::vector<std::string>* chunks) {
  const JsonValue* delta = member(event, "delta");
  if (!delta) return;
  const std::string_view type = string_member(*delta, "type");
  if (type == "text_delta") {
    emit_text(chunks, string_member(*delta, "text"));
  } else if (type == "input_json_delta") {
    auto call = tool_calls_.find(block_index(event));
    const std::string_view text = string_member(*delta, "partial_json");
    if (call == tool_calls_.end() || text.empty()) return;
    call->second.has_arguments = true;
    emit_arguments(chunks, call->second.index, text);
  }  // thinking_delta, signature_delta, citations_delta: no OpenAI counterpart
}

void MessageStreamDecoder::on_block_stop(const JsonValue& event, std::vector<std::string>* chunks) {
  auto call = tool_calls_.find(block_index(event));
  // A call without arguments streams no input text; OpenAI clients parse the arguments they
  // gathered, so they get the empty object.
  if (call != tool_calls_.end() && !call->second.has_arguments) {
    call->second.has_arguments = true;
    emit_arguments(chunks, call->second.index, "{}");
  }
}

void MessageStreamDecoder::on_message_delta(const JsonValue& event,
                                            std::vector<std::string>* chunks) {
  if (const JsonValue* usage = member(event, "usage")) usage_ = read_usage(*usage, usage_);
  const JsonValue* delta = member(event, "delta");
  const std::string_view stop_reason = delta ? string_member(*delta, "stop_reason") : "";
  if (!stop_reason.empty()) {
    emit(
        chunks, [](JsonWriter&) {}, finish_reason_for(stop_reason));
  }
  emit_usage(chunks);
}

bool MessageStreamDecoder::finish(std::vector<std::string>*, Failure* failure) {
  if (stopped_) return true;
  if (!failed_) *failure = unreadable_answer("Anthropic's stream ended before message_stop");
  failed_ = true;
  return false;
}

void MessageStreamDecoder::set_id(std::string_view id) {
  delta_.Clear();
  writer_.Reset(delta_);
  support::begin_openai_object(writer_, id, "chat.completion.chunk", created_, model_);
  writer_.EndObject();
  head_.assign(delta_.GetString(), delta_.GetSize() - 1);  // without the closing brace
  head_ += ',';
}

template <typename WriteDelta>
void MessageStreamDecoder::emit(std::vector<std::string>* chunks, WriteDelta write_delta,
                                std::string_view finish_reason) {
  delta_.Clear();
  writer_.Reset(delta_);
  writer_.StartObject();
  write_delta(writer_);
  writer_.EndObject();
  constexpr std::string_view kChoice = R"("choices":[{"index":0,"delta":)";
  constexpr std::string_view kFinish = R"(,"logprobs":null,"finish_reason":)";
  std::string& chunk = chunks->emplace_back();
  chunk.reserve(head_.size() + kChoice.size() + delta_.GetSize() + kFinish.size() +
                finish_reason.size() + 8);
  chunk += head_;
  chunk += kChoice;
  chunk += buffer_view(delta_);
  chunk += kFinish;
  if (finish_reason.empty()) {
    chunk += "null";
  } else {  // a word of ours: nothing to escape
    chunk += '"';
    chunk += finish_reason;
    chunk += '"';
  }
  chunk += "}]}";
}

void MessageStreamDecoder::emit_text(std::vector<std::string>* chunks, std::string_view text) {
  if (text.empty()) return;
  emit(chunks, [text](JsonWriter& writer) {
    writer.Key("content");
    write_string(writer, text);
  });
}

void MessageStreamDecoder::emit_arguments(std::vector<std::string>* chunks, int index,
                                          std::string_view text) {
  emit(chunks, [index, text](JsonWriter& writer) {
    writer.Key("tool_calls");
    writer.StartArray();
    writer.StartObject();
    writer.Key("index");
    writer.Int(index);
    writer.Key("function");
    writer.StartObject();
    writer.Key("arguments");
    write_string(writer, text);
    writer.EndObject();
    writer.EndObject();
    writer.EndArray();
  });
}

void MessageStreamDecoder::emit_usage(std::vector<std::string>* chunks) {
  // OpenAI's stream_options.include_usage chunk: no choices, the whole usage.
  delta_.Clear();
  writer_.Reset(delta_);
  write_usage(writer_, usage_);
  std::string& chunk = chunks->emplace_back();
  chunk += head_;
  chunk += R"("choices":[],"usage":)";
  chunk += buffer_view(delta_);
  chunk += '}';
}

}  // namespace

std::unique_ptr<StreamDecoder> make_message_stream_decoder(const ResponseContext& context) {
  return std::make_unique<MessageStreamDecoder>(context);
}

}  // namespace sluice::providers::anthropic
