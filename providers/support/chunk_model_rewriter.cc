// One pass of rapidjson's event parser over a copy of the event (parsed in place, on its SSE2
// path), a handler that follows only the members a stream decoder looks at, and the event's own
// text copied around the model's value: no document is built and nothing is written again.

#include "providers/support/chunk_model_rewriter.h"

#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "providers/support/json.h"

namespace sluice::providers::support {
namespace {

// Events up to this size are copied onto the stack to be parsed; larger ones onto the heap.
constexpr size_t kStackCopyBytes = 2048;

// The parser's own stack: unused when parsing in place without full-precision numbers, but
// given one on the thread's stack so that it never takes the heap.
constexpr size_t kParserStackBytes = 256;

// Containers the pass looks into; any other is `other`, and so is everything inside it.
enum class Frame : uint8_t { top, choices, choice, delta, other };
// The deepest container the pass looks into: top-level object, choices, a choice, its delta.
constexpr size_t kFollowedDepth = 4;

// What the value after a key is, in the containers the pass looks into.
enum class Slot : uint8_t { plain, model, choices, error, object, finish_reason, delta, content };

Slot slot_of(Frame frame, std::string_view key) {
  switch (frame) {
    case Frame::top:
      if (key == "model") return Slot::model;
      if (key == "choices") return Slot::choices;
      if (key == "error") return Slot::error;
      if (key == "object") return Slot::object;
      return Slot::plain;
    case Frame::choice:
      if (key == "finish_reason") return Slot::finish_reason;
      if (key == "delta") return Slot::delta;
      return Slot::plain;
    case Frame::delta:
      return key == "content" ? Slot::content : Slot::plain;
    default:
      return Slot::plain;
  }
}

bool is_openai_finish_reason(std::string_view reason) {
  return reason == "stop" || reason == "length" || reason == "tool_calls" ||
         reason == "content_filter" || reason == "function_call";
}

// The parse handler. `copy` is the NUL-terminated copy being parsed in place: a string's
// position in it is its position in `event`.
class EventPass {
 public:
  EventPass(std::string_view event, const char* copy, std::string_view quoted_model,
            std::string* chunk, ChunkFacts* facts)
      : event_(event), copy_(copy), quoted_model_(quoted_model), chunk_(chunk), facts_(facts) {}

  // Whether the caller's document path must write the event (see ChunkModelRewriter).
  bool needs_document() const { return needs_document_; }

  // Copies what remains of the event, adding the model when it had none.
  void finish() {
    if (model_written_) {
      chunk_->append(event_.substr(copied_));
      return;
    }
    const size_t close = event_.rfind('}');
    chunk_->append(event_.substr(copied_, close - copied_));
    chunk_->append(top_members_ > 0 ? ",\"model\":" : "\"model\":");
    chunk_->append(quoted_model_);
    chunk_->append(event_.substr(close));
  }

  bool Null() { return scalar(); }
  bool Bool(bool) { return scalar(); }
  bool Int(int) { return scalar(); }
  bool Uint(unsigned) { return scalar(); }
  bool Int64(int64_t) { return scalar(); }
  bool Uint64(uint64_t) { return scalar(); }
  bool Double(double) { return scalar(); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(); }

  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (depth_ == 0) return false;  // the event is a string, not an object
    const std::string_view value(text, length);
    switch (slot_) {
      case Slot::model:
        replace_model(text);
        break;
      case Slot::object:
        facts_->object_is_error = value == "error";
        break;
      case Slot::finish_reason:
        facts_->finished = true;
        facts_->unusual_finish = facts_->unusual_finish || !is_openai_finish_reason(value);
        break;
      default:
        break;
    }
    slot_ = Slot::plain;
    return true;
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    slot_ = slot_of(frame(depth_), std::string_view(text, length));
    if (slot_ == Slot::plain) return true;
    // A member the decoder reads, given twice: which one counts is the document path's choice.
    const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(slot_));
    if (seen_[depth_] & bit) needs_document_ = true;
    seen_[depth_] |= bit;
    return true;
  }

  bool StartObject() {
    const Frame parent = frame(depth_);
    if (!enter()) return false;
    Frame next = Frame::other;
    if (depth_ == 1) {
      next = Frame::top;
    } else if (parent == Frame::choices) {
      next = Frame::choice;
    } else if (slot_ == Slot::delta) {
      next = Frame::delta;
    } else if (slot_ == Slot::error) {
      facts_->error_object = true;
    }
    open(next);
    return true;
  }

  bool EndObject(rapidjson::SizeType members) {
    if (depth_ == 1) top_members_ = members;
    --depth_;
    return true;
  }

  bool StartArray() {
    if (depth_ == 0) return false;  // the event is an array, not an object
    if (!enter()) return false;
    Frame next = Frame::other;
    if (slot_ == Slot::choices) {
      next = Frame::choices;
    } else if (slot_ == Slot::content) {
      facts_->content_list = true;
    }
    open(next);
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

 private:
  Frame frame(size_t depth) const {
    return depth <= kFollowedDepth ? frames_[depth] : Frame::other;
  }

  // One level deeper; false past the nesting limit, before the parser descends.
  bool enter() {
    if (slot_ == Slot::model) needs_document_ = true;  // a model that is not a string
    return ++depth_ <= kMaxChunkDepth;
  }

  void open(Frame next) {
    if (depth_ <= kFollowedDepth) {
      frames_[depth_] = next;
      seen_[depth_] = 0;
    }
    slot_ = Slot::plain;
  }

  bool scalar() {
    if (depth_ == 0) return false;  // the event is a scalar, not an object
    if (slot_ == Slot::model) needs_document_ = true;
    slot_ = Slot::plain;
    return true;
  }

  // Copies the event up to the model's value (the string starting at `text` in the copy), then
  // the client's model in its place.
  void replace_model(const char* text) {
    const size_t start = static_cast<size_t>(text - copy_) - 1;  // its opening quote
    size_t end = start + 1;
    // The parser has read the string whole: its closing quote is the first one not escaped.
    while (end < event_.size() && event_[end] != '"') end += event_[end] == '\\' ? 2 : 1;
    chunk_->append(event_.substr(copied_, start - copied_));
    chunk_->append(quoted_model_);
    copied_ = end + 1;
    model_written_ = true;
  }

  std::string_view event_;
  const char* copy_;
  std::string_view quoted_model_;
  std::string* chunk_;
  ChunkFacts* facts_;

  size_t depth_ = 0;
  Frame frames_[kFollowedDepth + 1] = {};
  uint8_t seen_[kFollowedDepth + 1] = {};  // the slots met so far in each followed object
  Slot slot_ = Slot::plain;
  size_t copied_ = 0;  // how much of the event is in *chunk_
  size_t top_members_ = 0;
  bool model_written_ = false;
  bool needs_document_ = false;
};

}  // namespace

ChunkModelRewriter::ChunkModelRewriter(std::string_view model) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write_string(writer, model);
  quoted_model_.assign(buffer.GetString(), buffer.GetSize());
}

ChunkModelRewriter::Result ChunkModelRewriter::rewrite(std::string_view event, std::string* chunk,
                                                       ChunkFacts* facts) const {
  *facts = {};
  if (event.empty() || std::memchr(event.data(), '\0', event.size()) != nullptr ||
      !support::valid_utf8(event)) {
    return Result::not_an_object;
  }
  // A chunk is sent as one line of a client's stream: an event split over lines is written
  // again, compact, by the document path.
  if (std::memchr(event.data(), '\n', event.size()) != nullptr ||
      std::memchr(event.data(), '\r', event.size()) != nullptr) {
    return Result::needs_document;
  }
  char stack_copy[kStackCopyBytes];
  std::unique_ptr<char[]> heap_copy;
  char* copy = stack_copy;
  if (event.size() >= sizeof stack_copy) {
    heap_copy = std::make_unique_for_overwrite<char[]>(event.size() + 1);
    copy = heap_copy.get();
  }
  std::memcpy(copy, event.data(), event.size());
  copy[event.size()] = '\0';

  chunk->clear();
  chunk->reserve(event.size() + quoted_model_.size() + 16);
  EventPass pass(event, copy, quoted_model_, chunk, facts);
  rapidjson::InsituStringStream stream(copy);
  alignas(std::max_align_t) char stack_bytes[kParserStackBytes];
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_bytes, sizeof stack_bytes);
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
      reader(&stack_pool, kParserStackBytes / 2);
  if (reader.Parse<rapidjson::kParseInsituFlag>(stream, pass).IsError()) {
    return Result::not_an_object;
  }
  if (pass.needs_document()) return Result::needs_document;
  pass.finish();
  return Result::rewritten;
}

ChunkModelRewriter::Result ChunkModelRewriter::pass(std::string_view event,
                                                    bool (*passes)(const ChunkFacts&),
                                                    std::vector<std::string>* chunks,
                                                    bool* finished) const {
  std::string chunk;
  ChunkFacts facts;
  const Result result = rewrite(event, &chunk, &facts);
  if (result != Result::rewritten) return result;
  if (!passes(facts)) return Result::needs_document;
  *finished = *finished || facts.finished;
  chunks->push_back(std::move(chunk));
  return Result::rewritten;
}

}  // namespace sluice::providers::support
