// streamGenerateContent?alt=sse -> OpenAI chat.completion.chunk JSON texts. Each SSE event is a
// whole GenerateContentResponse holding the next piece of each candidate: a role chunk opens a
// choice, text becomes content deltas, a functionCall (Gemini never splits one) becomes one
// complete tool_calls delta, finishReason a finish chunk, and the last usageMetadata the final
// usage chunk (choices []) once the stream has ended.

#include <array>
#include <vector>

#include "providers/gemini/literal.h"
#include "providers/gemini/members.h"
#include "providers/gemini/openai_output.h"
#include "providers/gemini/translate.h"
#include "providers/support/chunk_writer.h"

namespace sluice::providers::gemini {
namespace {

using rapidjson::Value;

// Gemini's candidateCount is at most 8; a higher index is a broken stream, not a reason to grow.
constexpr int kMaxCandidates = 8;

// The members of an event read on every event, found in one pass.
constexpr std::array<std::string_view, 4> kEventMembers = {"error", "candidates", "promptFeedback",
                                                           "usageMetadata"};

struct ChoiceState {
  bool started = false;
  bool finished = false;
  int tool_calls = 0;  // the next tool_calls[].index of this choice
};

class ChatStreamDecoder final : public StreamDecoder {
 public:
  ChatStreamDecoder(Flavour flavour, const ResponseContext& context)
      : flavour_(flavour),
        fallback_id_(context.response_id),
        chunk_(fallback_id_, context.created, context.client_model) {}

  bool feed(std::string_view unit, std::vector<std::string>* chunks, Failure* failure) override {
    if (unit.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
    support::EventDocument event;
    if (!parse_json(unit, &event) || !event.IsObject()) {
      *failure = bad_upstream(std::string(provider_label(flavour_)) +
                              "'s stream event is not a JSON object");
      return false;
    }
    std::array<const Value*, kEventMembers.size()> members;
    find_members(event, kEventMembers, &members);
    if (const Value* error = members[0]) {
      *failure = failure_from_error_object(flavour_, 502, *error, {});
      return false;
    }
    if (id_.empty()) {
      id_ = response_id_of(event, fallback_id_);
      chunk_.set_id(id_);
    }
    const Value* candidates = members[1];
    const Value* feedback = members[2];
    std::string_view block_reason;
    if (candidates != nullptr && candidates->IsArray() && !candidates->Empty()) {
      for (rapidjson::SizeType i = 0; i < candidates->Size(); ++i) {
        if (!decode_candidate((*candidates)[i], static_cast<int>(i), chunks, failure)) {
          return false;
        }
      }
    } else if (feedback != nullptr && find_string(*feedback, "blockReason", &block_reason)) {
      // The prompt was blocked: an empty choice filtered at once.
      ChoiceState& choice = state(0);
      open(choice, 0, chunks);
      if (!choice.finished) {
        chunks->push_back(finish_chunk(0, "content_filter"));
        choice.finished = true;
      }
    }
    if (Usage usage = read_usage_metadata(members[3]); usage.present) usage_ = usage;
    return true;
  }

  bool finish(std::vector<std::string>* chunks, Failure* failure) override {
    bool started = false;
    bool all_finished = true;
    for (const ChoiceState& choice : choices_) {
      started = started || choice.started;
      all_finished = all_finished && (choice.finished || !choice.started);
    }
    if (!started || !all_finished) {
      *failure = bad_upstream(std::string(provider_label(flavour_)) +
                              "'s stream ended before a finish reason");
      return false;
    }
    if (usage_.present) {
      JsonWriter& writer = begin_chunk();
      writer.EndArray();
      write_literal_key<"usage">(writer);
      write_usage(writer, usage_);
      chunks->push_back(chunk_.end());
      usage_.present = false;  // owed once
    }
    return true;
  }

 private:
  ChoiceState& state(int index) {
    if (static_cast<size_t>(index) >= choices_.size()) choices_.resize(index + 1);
    return choices_[index];
  }

  bool decode_candidate(const Value& candidate, int position, std::vector<std::string>* chunks,
                        Failure* failure) {
    const int index = candidate_index(candidate, position);
    if (index >= kMaxCandidates) {
      *failure = bad_upstream(std::string(provider_label(flavour_)) +
                              "'s stream names a candidate index above 7");
      return false;
    }
    ChoiceState& choice = state(index);
    open(choice, index, chunks);
    if (choice.finished) return true;  // nothing may follow a finish chunk
    CandidateParts parts;
    if (!read_parts(candidate, &parts, failure)) return false;
    if (!parts.text.empty()) chunks->push_back(content_chunk(index, parts.text));
    if (!parts.calls.empty()) chunks->push_back(tool_calls_chunk(index, parts.calls, choice));
    std::string_view reason;
    if (find_string(candidate, "finishReason", &reason) && !reason.empty()) {
      chunks->push_back(finish_chunk(index, finish_reason_for(reason, choice.tool_calls > 0)));
      choice.finished = true;
    }
    return true;
  }

  void open(ChoiceState& choice, int index, std::vector<std::string>* chunks) {
    if (choice.started) return;
    choice.started = true;
    JsonWriter& writer = begin_choice(index);
    write_literal_key<"role">(writer);
    write_literal_string<"assistant">(writer);
    write_literal_key<"content">(writer);
    write_literal_string<"">(writer);
    end_choice(writer, {});
    chunks->push_back(chunk_.end());
  }

  std::string content_chunk(int index, std::string_view text) {
    JsonWriter& writer = begin_choice(index);
    write_literal_key<"content">(writer);
    write_string(writer, text);
    end_choice(writer, {});
    return chunk_.end();
  }

  std::string tool_calls_chunk(int index, const std::vector<FunctionCall>& calls,
                               ChoiceState& choice) {
    JsonWriter& writer = begin_choice(index);
    write_literal_key<"tool_calls">(writer);
    writer.StartArray();
    for (const FunctionCall& call : calls) {
      writer.StartObject();
      write_literal_key<"index">(writer);
      writer.Int(choice.tool_calls++);
      write_literal_key<"id">(writer);
      write_string(writer, tool_call_id(id_, ordinal_++));
      write_literal_key<"type">(writer);
      write_literal_string<"function">(writer);
      write_literal_key<"function">(writer);
      writer.StartObject();
      write_literal_key<"name">(writer);
      write_string(writer, call.name);
      write_literal_key<"arguments">(writer);
      write_string(writer, call.arguments);
      writer.EndObject();
      writer.EndObject();
    }
    writer.EndArray();
    end_choice(writer, {});
    return chunk_.end();
  }

  std::string finish_chunk(int index, std::string_view reason) {
    JsonWriter& writer = begin_choice(index);
    end_choice(writer, reason);
    return chunk_.end();
  }

  // {"id","object","created","model","choices":[ -- the caller closes the array, chunk_.end()
  // the object.
  JsonWriter& begin_chunk() {
    JsonWriter& writer = chunk_.begin();
    write_literal_key<"choices">(writer);
    writer.StartArray();
    return writer;
  }

  // ... {"index":i,"delta":{ -- end_choice closes the delta with the finish reason (null if "").
  JsonWriter& begin_choice(int index) {
    JsonWriter& writer = begin_chunk();
    writer.StartObject();
    write_literal_key<"index">(writer);
    writer.Int(index);
    write_literal_key<"delta">(writer);
    writer.StartObject();
    return writer;
  }

  void end_choice(JsonWriter& writer, std::string_view finish_reason) {
    writer.EndObject();
    write_literal_key<"finish_reason">(writer);
    support::write_string_or_null(writer, finish_reason);
    writer.EndObject();
    writer.EndArray();
  }

  const Flavour flavour_;
  const std::string fallback_id_;
  std::string id_;              // the stream's responseId, from its first event
  support::ChunkWriter chunk_;  // with id_ once it is known, fallback_id_ before
  std::vector<ChoiceState> choices_;
  int ordinal_ = 0;  // tool calls numbered across the whole answer, as response.cc does
  Usage usage_;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_chat_stream_decoder(Flavour flavour,
                                                        const ResponseContext& context) {
  return std::make_unique<ChatStreamDecoder>(flavour, context);
}

}  // namespace sluice::providers::gemini
