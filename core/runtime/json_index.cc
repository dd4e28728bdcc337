// JsonIndex: the index a scan builds (json_scanner.cc), rapidjson's words for a text it refuses,
// and the lookups on the index.
//
// Lookups: filters ask about a score of pointers a request, most of them absent members of the
// root. Each indexed object keeps a bit per initial of its members' names, which settles most of
// those at once; and while no indexed name holds a '/', a '~' or an escape (the scanner notes it),
// a pointer is compared with the names as it stands, with no token cut out or decoded.

#include "core/runtime/json_index.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <fmt/format.h>

#include "core/runtime/json_scanner.h"

namespace sluice::runtime {
namespace {

using Entry = JsonIndex::Entry;
using Type = JsonIndex::Type;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Whether the n bytes at a and b are the same. Names are short: comparing them a word at a time
// here costs less than a call to memcmp.
bool same_bytes(const char* a, const char* b, size_t n) {
  const auto word = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  const auto half = [](const char* p) {
    uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  if (n >= 8) {  // whole words, then the last eight bytes (overlapping the words before)
    for (size_t k = 0; k + 8 < n; k += 8) {
      if (word(a + k) != word(b + k)) return false;
    }
    return word(a + n - 8) == word(b + n - 8);
  }
  if (n >= 4) return half(a) == half(b) && half(a + n - 4) == half(b + n - 4);
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return false;
  }
  return true;
}

// Where entry e's name is: in the text, or decoded.
const char* key(const Entry& e, std::string_view text, const std::string& decoded) {
  return (e.key_decoded ? decoded.data() : text.data()) + e.key_at;
}

// The pointer's token that starts at `start` with ~0 and ~1 decoded into out; false when it holds
// another '~' (such a token names nothing). *end is where the token ends.
bool unescape_token(std::string_view pointer, size_t start, size_t* end, std::string* out) {
  *end = std::min(pointer.find('/', start), pointer.size());
  out->clear();
  for (size_t i = start; i < *end; ++i) {
    if (pointer[i] != '~') {
      out->push_back(pointer[i]);
    } else if (i + 1 < *end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      out->push_back(pointer[++i] == '0' ? '~' : '/');
    } else {
      return false;
    }
  }
  return true;
}

// The whole document parse without a document: whether text is JSON, and rapidjson's words when
// it is not.
class DepthCounter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthCounter> {
 public:
  explicit DepthCounter(unsigned max_depth) : max_depth_(max_depth) {}
  bool StartObject() { return ++depth_ <= max_depth_; }
  bool EndObject(rapidjson::SizeType) { return --depth_, true; }
  bool StartArray() { return ++depth_ <= max_depth_; }
  bool EndArray(rapidjson::SizeType) { return --depth_, true; }
  bool too_deep() const { return depth_ > max_depth_; }

 private:
  unsigned max_depth_;
  unsigned depth_ = 0;
};

// rapidjson's verdict on text under json_body.cc's flags: nullopt when it is JSON, else why.
std::optional<std::string> json_verdict(const std::string& text, unsigned max_depth) {
  rapidjson::StringStream stream(text.c_str());
  rapidjson::Reader reader;
  DepthCounter handler(max_depth);
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;
  rapidjson::ParseResult result = reader.Parse<kFlags>(stream, handler);
  if (handler.too_deep()) return fmt::format("JSON nesting deeper than {} levels", max_depth);
  if (!result) {
    return fmt::format("invalid JSON at byte {}: {}", result.Offset(),
                       rapidjson::GetParseError_En(result.Code()));
  }
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      return fmt::format("invalid JSON at byte {}: text after the document", i);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> JsonIndex::build(const std::string& text, unsigned max_depth) {
  max_depth_ = max_depth;
  entries_.clear();
  ordered_ = 0;
  decoded_.clear();
  root_initials_ = UINT32_MAX;
  if (text.size() >= kNone) return json_verdict(text, max_depth);  // valid: nothing indexed
  entries_.reserve(32);  // a chat completion's answer has about 20
  const JsonScan scan = scan_json(text, max_depth, entries_, decoded_);
  if (scan.ok) {
    ordered_ = entries_.size();
    plain_names_ = scan.plain_names;
    if (plain_names_ && entries_[0].members_indexed) root_initials_ = entries_[0].initials;
    return std::nullopt;
  }
  entries_.clear();
  if (auto error = json_verdict(text, max_depth)) return error;
  // rapidjson took it (a control byte its SSE2 scan let through): the scanner's words then.
  return fmt::format("invalid JSON at byte {}: {}", scan.error_at, scan.error);
}

uint32_t JsonIndex::member(uint32_t object, std::string_view name, std::string_view text) const {
  for (uint32_t i = entries_[object].first; i != kNone; i = entries_[i].next) {
    const Entry& e = entries_[i];
    if (e.key_size == name.size() &&
        std::memcmp(key(e, text, decoded_), name.data(), name.size()) == 0) {
      return i;
    }
  }
  return kNone;
}

// A lookup that reached entry i, whose members are not indexed: an object the scan left for later
// is indexed now and the lookup starts again; anything else answers as a leaf does.
JsonIndex::Lookup JsonIndex::past_indexed(uint32_t i, std::string_view text,
                                          std::string_view pointer) {
  if (entries_[i].first == kIndexLater) {
    const size_t before = entries_.size();
    const JsonScan scan = scan_json_object(text, max_depth_, i, entries_, decoded_);
    if (scan.ok) {
      if (!scan.plain_names) plain_names_ = false;
      return find_member(text, pointer);
    }
    entries_.resize(before);  // not the text scanned (cannot be): left to the document
    entries_[i].members_indexed = false;
    entries_[i].first = kNone;
    entries_[i].initials = 0;
  }
  // Nothing inside a scalar; the document knows what is inside the other containers.
  const Type type = entries_[i].type;
  return {type == Type::object || type == Type::array ? Status::unknown : Status::absent, 0};
}

// find() past its first test.
JsonIndex::Lookup JsonIndex::find_member(std::string_view text, std::string_view pointer) {
  if (entries_.empty()) return {Status::unknown, 0};
  if (pointer.empty()) return {Status::found, 0};
  if (pointer.front() != '/') {
    return {pointer.front() == '#' ? Status::unknown : Status::absent, 0};
  }
  return plain_names_ ? find_plain(text, pointer) : find_by_tokens(text, pointer);
}

// find() when no name holds a '/' or a '~': then the pointer's tokens need not be cut out and
// decoded. A name is the next token when the rest of the pointer starts with it and a '/' or the
// end follows, and a token with a '~' (which decodes to a '~' or a '/', or to nothing) is no name.
JsonIndex::Lookup JsonIndex::find_plain(std::string_view text, std::string_view pointer) {
  uint32_t current = 0;
  for (size_t start = 1;;) {
    if (!entries_[current].members_indexed) return past_indexed(current, text, pointer);
    const std::string_view rest = pointer.substr(start);
    const char initial = initial_of(rest);
    if ((entries_[current].initials & initial_bit(initial)) == 0) return {Status::absent, 0};
    uint32_t i = entries_[current].first;
    for (; i != kNone; i = entries_[i].next) {
      const Entry& e = entries_[i];
      const char* name = text.data() + e.key_at;  // plain names are never decoded
      if (name[0] != initial) continue;
      if (e.key_size > rest.size() || (e.key_size < rest.size() && rest[e.key_size] != '/')) {
        continue;
      }
      if (same_bytes(name, rest.data(), e.key_size)) break;
    }
    if (i == kNone) return {Status::absent, 0};
    start += entries_[i].key_size;
    if (start == pointer.size()) return {Status::found, i};
    current = i;
    ++start;  // past the '/'
  }
}

// find() the long way, for names that hold a '/' or a '~': each token of the pointer is found and
// decoded before it is looked for.
JsonIndex::Lookup JsonIndex::find_by_tokens(std::string_view text, std::string_view pointer) {
  uint32_t current = 0;
  std::string token;
  for (size_t start = 1;;) {
    if (!entries_[current].members_indexed) return past_indexed(current, text, pointer);
    size_t end = 0;
    if (!unescape_token(pointer, start, &end, &token)) return {Status::absent, 0};
    current = member(current, token, text);
    if (current == kNone) return {Status::absent, 0};
    if (end == pointer.size()) return {Status::found, current};
    start = end + 1;
  }
}

std::string_view JsonIndex::string(const Entry& e, std::string_view text) const {
  return (e.str_decoded ? std::string_view(decoded_) : text).substr(e.str_at, e.str_size);
}

void JsonIndex::string_replaced(uint32_t i, size_t size) {
  const uint32_t old_end = entries_[i].end;
  const auto delta = static_cast<uint32_t>(size - (old_end - entries_[i].begin));  // may wrap
  if (entries_.size() == ordered_) {
    // The entries are in the order of their names in the text, and a string holds none: those
    // before i start before it (of them only the containers around it end after it), those after
    // i lie wholly after it.
    for (uint32_t j = 0; j < i; ++j) {
      if (entries_[j].end >= old_end) entries_[j].end += delta;
    }
    for (size_t j = i + 1; j < entries_.size(); ++j) {
      Entry& later = entries_[j];
      later.begin += delta;
      later.end += delta;
      if (!later.key_decoded) later.key_at += delta;
      if (later.type == Type::string && !later.str_decoded) later.str_at += delta;
    }
  } else {  // objects indexed late put their members out of that order: every position is looked at
    for (Entry& e : entries_) {
      if (e.begin >= old_end) e.begin += delta;
      if (e.end >= old_end) e.end += delta;
      if (!e.key_decoded && e.key_at >= old_end) e.key_at += delta;
      if (e.type == Type::string && !e.str_decoded && e.str_at >= old_end) e.str_at += delta;
    }
  }
  Entry& e = entries_[i];
  e.end = static_cast<uint32_t>(e.begin + size);
  e.str_at = e.begin + 1;
  e.str_size = static_cast<uint32_t>(size - 2);
  e.str_decoded = false;
}

}  // namespace sluice::runtime
