// ConverseStream's event stream as OpenAI chat.completion.chunk objects. Bytes arrive split
// anywhere; aws::Decoder reassembles and checks each frame, and each event becomes at most one
// chunk:
//   messageStart                        -> delta {role: assistant, content: ""}
//   contentBlockStart {toolUse}         -> delta tool_calls[{index, id, type, function{name}}]
//   contentBlockDelta {text}            -> delta {content}
//   contentBlockDelta {toolUse.input}   -> delta tool_calls[{index, function{arguments}}]
//   contentBlockStop                    -> nothing
//   messageStop {stopReason}            -> delta {} with finish_reason
//   metadata {usage}                    -> a chunk with no choices and the usage
// Exception frames end the stream with a Failure carrying the exception's status.

#include <map>

#include "providers/aws/event_stream.h"
#include "providers/bedrock/internal.h"
#include "providers/bedrock/json.h"
#include "providers/support/chunk_writer.h"

namespace sluice::bedrock {
namespace {

constexpr int kMaxToolCalls = 1024;

int64_t integer_member(const Value& object, std::string_view name) {
  const Value* value = member(object, name);
  return value != nullptr && value->IsInt64() ? value->GetInt64() : 0;
}

class ConverseStreamDecoder final : public providers::StreamDecoder {
 public:
  explicit ConverseStreamDecoder(const ResponseContext& context)
      : chunk_(context.response_id, context.created, context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (failed_) return fail(failure);
    chunks_ = chunks;
    std::string error;
    // Events completed before a broken frame still reach the client.
    switch (frames_.feed(unit, &ConverseStreamDecoder::on_message, this, &error)) {
      case aws::Decoder::Result::ok:
        return true;
      case aws::Decoder::Result::stopped:
        return fail(failure);
      case aws::Decoder::Result::broken:
        break;
    }
    failure_ = status_failure(502, "Bedrock's event stream is malformed: " + error);
    failed_ = true;
    return fail(failure);
  }

  bool finish(std::vector<std::string>* /*chunks*/, Failure* failure) override {
    if (failed_) return fail(failure);
    if (frames_.mid_message()) {
      failure_ = status_failure(502, "Bedrock's event stream ended inside an event");
    } else if (!stopped_) {
      failure_ = status_failure(502, "Bedrock's event stream ended before messageStop");
    } else {
      return true;
    }
    failed_ = true;
    return fail(failure);
  }

 private:
  bool fail(Failure* failure) const {
    *failure = failure_;
    return false;
  }

  bool broken(std::string message) {
    failure_ = status_failure(502, std::move(message));
    failed_ = true;
    return false;
  }

  static bool on_message(const aws::MessageView& message, void* decoder) {
    auto* self = static_cast<ConverseStreamDecoder*>(decoder);
    return self->handle(message, self->chunks_);
  }

  bool handle(const aws::MessageView& message, std::vector<std::string>* chunks) {
    const std::string_view kind = message.string_header(":message-type");
    if (kind == "exception") {
      failure_ = exception_failure(message.string_header(":exception-type"), message.payload());
      failed_ = true;
      return false;
    }
    if (kind == "error") {
      const std::string_view code = message.string_header(":error-code");
      const std::string_view text = message.string_header(":error-message");
      failure_ = status_failure(
          exception_status(code),
          text.empty() ? "Bedrock ended the stream with an error" : std::string(text),
          std::string(code));
      failed_ = true;
      return false;
    }
    if (kind != "event") return true;  // nothing else is defined; ignore what a newer API adds
    const std::string_view event = message.string_header(":event-type");
    support::EventDocument payload;
    if (!parse_json(message.payload(), &payload) || !payload.IsObject()) {
      return broken("Bedrock's " + std::string(event) + " event is not a JSON object");
    }
    if (event == "messageStart") return message_start(chunks);
    if (event == "contentBlockStart") return block_start(payload, chunks);
    if (event == "contentBlockDelta") return block_delta(payload, chunks);
    if (event == "messageStop") return message_stop(payload, chunks);
    if (event == "metadata") return metadata(payload, chunks);
    return true;  // contentBlockStop, and events this adapter has no use for
  }

  // {"id","object","created","model","choices":[{"index":0,"delta":{ -- the caller writes the
  // delta's members, then end_choice closes it.
  JsonWriter& begin_choice() {
    JsonWriter& writer = chunk_.begin();
    write_literal(writer, R"("choices")");
    writer.StartArray();
    writer.StartObject();
    write_literal(writer, R"("index")");
    writer.Int(0);
    write_literal(writer, R"("delta")");
    writer.StartObject();
    return writer;
  }

  void end_choice(JsonWriter& writer, std::string_view finish_reason,
                  std::vector<std::string>* chunks) {
    writer.EndObject();  // delta
    // Every chunk but the last ends the same way: its members are copied as they are.
    if (finish_reason.empty()) {
      writer.RawMembers(R"("logprobs":null,"finish_reason":null)", 2);
    } else {
      writer.RawMembers(R"("logprobs":null)", 1);
      write_literal(writer, R"("finish_reason")");
      write_string(writer, finish_reason);
    }
    writer.EndObject();
    writer.EndArray();
    chunks->push_back(chunk_.end());
  }

  bool message_start(std::vector<std::string>* chunks) {
    JsonWriter& writer = begin_choice();
    write_literal(writer, R"("role")");
    write_literal(writer, R"("assistant")");
    write_literal(writer, R"("content")");
    write_literal(writer, R"("")");
    end_choice(writer, "", chunks);
    return true;
  }

  // The tool_calls index of the payload's content block; -1 past kMaxToolCalls.
  int tool_index(const Value& payload) {
    const int64_t block = integer_member(payload, "contentBlockIndex");
    const auto found = tool_index_by_block_.find(block);
    if (found != tool_index_by_block_.end()) return found->second;
    if (next_tool_index_ >= kMaxToolCalls) return -1;
    tool_index_by_block_.emplace(block, next_tool_index_);
    return next_tool_index_++;
  }

  void tool_call_chunk(int index, std::string_view id, std::string_view name,
                       std::string_view arguments, bool first, std::vector<std::string>* chunks) {
    JsonWriter& writer = begin_choice();
    write_literal(writer, R"("tool_calls")");
    writer.StartArray();
    writer.StartObject();
    write_literal(writer, R"("index")");
    writer.Int(index);
    if (first) {
      write_literal(writer, R"("id")");
      write_string(writer, id);
      write_literal(writer, R"("type")");
      write_literal(writer, R"("function")");
    }
    write_literal(writer, R"("function")");
    writer.StartObject();
    if (first) {
      write_literal(writer, R"("name")");
      write_string(writer, name);
    }
    write_literal(writer, R"("arguments")");
    write_string(writer, arguments);
    writer.EndObject();
    writer.EndObject();
    writer.EndArray();
    end_choice(writer, "", chunks);
  }

  bool block_start(const Value& payload, std::vector<std::string>* chunks) {
    const Value* start = member(payload, "start");
    const Value* tool_use = start == nullptr ? nullptr : member(*start, "toolUse");
    if (tool_use == nullptr) return true;
    const Value* id = member(*tool_use, "toolUseId");
    const Value* name = member(*tool_use, "name");
    if (id == nullptr || !id->IsString() || name == nullptr || !name->IsString()) {
      return broken("Bedrock's contentBlockStart has a toolUse without toolUseId or name");
    }
    const int index = tool_index(payload);
    if (index < 0) return broken("Bedrock's stream has more tool calls than sluice accepts");
    tool_call_chunk(index, view(*id), view(*name), "", true, chunks);
    return true;
  }

  bool block_delta(const Value& payload, std::vector<std::string>* chunks) {
    const Value* delta = member(payload, "delta");
    if (delta == nullptr) return broken("Bedrock's contentBlockDelta has no delta");
    if (const Value* text = member(*delta, "text"); text != nullptr && text->IsString()) {
      JsonWriter& writer = begin_choice();
      write_literal(writer, R"("content")");
      write_string(writer, view(*text));
      end_choice(writer, "", chunks);
      return true;
    }
    if (const Value* tool_use = member(*delta, "toolUse"); tool_use != nullptr) {
      const Value* input = member(*tool_use, "input");
      if (input == nullptr || !input->IsString()) {
        return broken("Bedrock's toolUse delta has no input text");
      }
      const int index = tool_index(payload);
      if (index < 0) return broken("Bedrock's stream has more tool calls than sluice accepts");
      tool_call_chunk(index, "", "", view(*input), false, chunks);
    }
    return true;  // reasoning and other deltas have no chat.completion.chunk form
  }

  bool message_stop(const Value& payload, std::vector<std::string>* chunks) {
    stopped_ = true;
    const Value* reason = member(payload, "stopReason");
    JsonWriter& writer = begin_choice();
    end_choice(
        writer,
        finish_reason(reason != nullptr && reason->IsString() ? view(*reason) : std::string_view()),
        chunks);
    return true;
  }

  bool metadata(const Value& payload, std::vector<std::string>* chunks) {
    const Value* usage = member(payload, "usage");
    if (usage == nullptr || !usage->IsObject()) return true;
    const int64_t input_tokens = integer_member(*usage, "inputTokens");
    const int64_t output_tokens = integer_member(*usage, "outputTokens");
    int64_t total_tokens = integer_member(*usage, "totalTokens");
    if (total_tokens == 0) total_tokens = input_tokens + output_tokens;
    JsonWriter& writer = chunk_.begin();
    write_literal(writer, R"("choices")");
    writer.StartArray();
    writer.EndArray();
    write_literal(writer, R"("usage")");
    writer.StartObject();
    write_literal(writer, R"("prompt_tokens")");
    writer.Int64(input_tokens);
    write_literal(writer, R"("completion_tokens")");
    writer.Int64(output_tokens);
    write_literal(writer, R"("total_tokens")");
    writer.Int64(total_tokens);
    if (member(*usage, "cacheReadInputTokens") != nullptr) {
      write_literal(writer, R"("prompt_tokens_details")");
      writer.StartObject();
      write_literal(writer, R"("cached_tokens")");
      writer.Int64(integer_member(*usage, "cacheReadInputTokens"));
      writer.EndObject();
    }
    writer.EndObject();
    chunks->push_back(chunk_.end());
    return true;
  }

  aws::Decoder frames_;
  std::vector<std::string>* chunks_ = nullptr;  // the current feed's output, for on_message
  support::ChunkWriter chunk_;
  std::map<int64_t, int> tool_index_by_block_;  // contentBlockIndex -> tool_calls index
  int next_tool_index_ = 0;
  bool stopped_ = false;
  bool failed_ = false;
  Failure failure_;
};

}  // namespace

std::unique_ptr<providers::StreamDecoder> make_stream_decoder(const ResponseContext& context) {
  return std::make_unique<ConverseStreamDecoder>(context);
}

}  // namespace sluice::bedrock
