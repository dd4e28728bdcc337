// Cohere v2 chat SSE events -> OpenAI chat.completion.chunk JSON texts. Cohere streams one
// message as typed events: message-start opens it (role chunk), content-delta and
// tool-plan-delta carry text (content deltas), tool-call-start / tool-call-delta carry a tool
// call's id and name, then its arguments piece by piece (OpenAI's tool_calls deltas, same
// index), and message-end its finish reason and usage (finish chunk now, usage chunk when the
// stream ends). Other events (content-start/-end, tool-call-end, citations, debug) carry
// nothing OpenAI's chunks have.

#include "providers/cohere/translate.h"
#include "providers/support/chunk_writer.h"

namespace sluice::providers::cohere {
namespace {

using rapidjson::Value;

// Tool call indexes past this are a broken stream rather than a reason to grow.
constexpr int kMaxToolCalls = 128;

class ChatStreamDecoder final : public StreamDecoder {
 public:
  explicit ChatStreamDecoder(const ResponseContext& context)
      : chunk_(context.response_id, context.created, context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (unit.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
    support::EventDocument event;
    std::string_view type;
    if (!parse_json(unit, &event) || !event.IsObject()) {
      *failure = bad_upstream("cohere's stream event is not a JSON object");
      return false;
    }
    if (!find_string(event, "type", &type)) {
      // Not an event: an error object sent in the stream.
      std::string_view message = "cohere's stream broke";
      find_string(event, "message", &message);
      *failure = bad_upstream(std::string(message));
      return false;
    }
    if (finished_) return true;  // nothing may follow the finish chunk
    const Value* delta = find(event, "delta");
    const Value* message = delta != nullptr ? find(*delta, "message") : nullptr;
    if (type == "message-start") {
      std::string_view id;
      if (find_string(event, "id", &id) && !id.empty()) chunk_.set_id(id);
      open(chunks);
    } else if (type == "content-delta" || type == "tool-plan-delta") {
      open(chunks);
      std::string_view text;
      const Value* content = message != nullptr ? find(*message, "content") : nullptr;
      const bool found = type == "content-delta"
                             ? content != nullptr && find_string(*content, "text", &text)
                             : message != nullptr && find_string(*message, "tool_plan", &text);
      if (found && !text.empty()) chunks->push_back(content_chunk(text));
    } else if (type == "tool-call-start" || type == "tool-call-delta") {
      open(chunks);
      if (!tool_call_chunk(event, type == "tool-call-start", message, chunks, failure)) {
        return false;
      }
    } else if (type == "message-end") {
      open(chunks);
      std::string_view reason;
      if (delta != nullptr) find_string(*delta, "finish_reason", &reason);
      const std::string_view finish_reason = finish_reason_for(reason);
      if (finish_reason.empty()) {  // ERROR or TIMEOUT: the answer is broken, not ended
        *failure = bad_upstream("cohere's generation ended with " + std::string(reason));
        return false;
      }
      chunks->push_back(
          finish_chunk(called_tools_ && finish_reason == "stop" ? "tool_calls" : finish_reason));
      finished_ = true;
      if (const Value* usage = delta != nullptr ? find(*delta, "usage") : nullptr;
          usage != nullptr && usage->IsObject()) {
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        write_usage(writer, *usage);
        usage_ = take(buffer);
      }
    }
    return true;
  }

  bool finish(std::vector<std::string>* chunks, Failure* failure) override {
    if (!finished_) {
      *failure = bad_upstream("cohere's stream ended before message-end");
      return false;
    }
    if (!usage_.empty()) {
      JsonWriter& writer = begin_chunk();
      writer.EndArray();
      write_key(writer, "usage");
      writer.RawValue(usage_.data(), usage_.size(), rapidjson::kObjectType);
      chunks->push_back(chunk_.end());
      usage_.clear();  // owed once
    }
    return true;
  }

 private:
  void open(std::vector<std::string>* chunks) {
    if (started_) return;
    started_ = true;
    JsonWriter& writer = begin_choice();
    write_key(writer, "role");
    write_string(writer, "assistant");
    write_key(writer, "content");
    write_string(writer, "");
    end_choice(writer, {});
    chunks->push_back(chunk_.end());
  }

  std::string content_chunk(std::string_view text) {
    JsonWriter& writer = begin_choice();
    write_key(writer, "content");
    write_string(writer, text);
    end_choice(writer, {});
    return chunk_.end();
  }

  // tool-call-start: {"index","id","type","function":{"name","arguments"}}; tool-call-delta:
  // {"index","function":{"arguments"}} -- OpenAI's first and following tool_calls deltas.
  bool tool_call_chunk(const Value& event, bool start, const Value* message,
                       std::vector<std::string>* chunks, Failure* failure) {
    const Value* index = find(event, "index");
    const Value* call = message != nullptr ? find(*message, "tool_calls") : nullptr;
    const Value* function = call != nullptr ? find(*call, "function") : nullptr;
    if (index == nullptr || !index->IsInt() || index->GetInt() < 0 ||
        index->GetInt() >= kMaxToolCalls || function == nullptr) {
      *failure = bad_upstream("cohere's tool call event has no usable index or function");
      return false;
    }
    std::string_view id;
    std::string_view name;
    std::string_view arguments;
    if (start && (!find_string(*call, "id", &id) || !find_string(*function, "name", &name))) {
      *failure = bad_upstream("cohere's tool-call-start has no id or name");
      return false;
    }
    find_string(*function, "arguments", &arguments);
    if (!start && arguments.empty()) return true;
    called_tools_ = true;
    JsonWriter& writer = begin_choice();
    write_key(writer, "tool_calls");
    writer.StartArray();
    writer.StartObject();
    write_key(writer, "index");
    writer.Int(index->GetInt());
    if (start) {
      write_key(writer, "id");
      write_string(writer, id);
      write_key(writer, "type");
      write_string(writer, "function");
    }
    write_key(writer, "function");
    writer.StartObject();
    if (start) {
      write_key(writer, "name");
      write_string(writer, name);
    }
    write_key(writer, "arguments");
    write_string(writer, arguments);
    writer.EndObject();
    writer.EndObject();
    writer.EndArray();
    end_choice(writer, {});
    chunks->push_back(chunk_.end());
    return true;
  }

  std::string finish_chunk(std::string_view reason) {
    JsonWriter& writer = begin_choice();
    end_choice(writer, reason);
    return chunk_.end();
  }

  // {"id","object","created","model","choices":[ -- the caller closes the array, chunk_.end()
  // the object.
  JsonWriter& begin_chunk() {
    JsonWriter& writer = chunk_.begin();
    write_key(writer, "choices");
    writer.StartArray();
    return writer;
  }

  JsonWriter& begin_choice() {
    JsonWriter& writer = begin_chunk();
    writer.StartObject();
    write_key(writer, "index");
    writer.Int(0);
    write_key(writer, "delta");
    writer.StartObject();
    return writer;
  }

  void end_choice(JsonWriter& writer, std::string_view finish_reason) {
    writer.EndObject();
    write_key(writer, "finish_reason");
    support::write_string_or_null(writer, finish_reason);
    writer.EndObject();
    writer.EndArray();
  }

  support::ChunkWriter chunk_;  // with message-start's id, else the caller's
  bool started_ = false;
  bool finished_ = false;
  bool called_tools_ = false;
  std::string usage_;  // OpenAI usage JSON from message-end, owed at finish()
};

}  // namespace

std::unique_ptr<StreamDecoder> make_chat_stream_decoder(const ResponseContext& context) {
  return std::make_unique<ChatStreamDecoder>(context);
}

}  // namespace sluice::providers::cohere
