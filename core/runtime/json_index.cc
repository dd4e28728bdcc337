// JsonIndex: a strict scanner written for the index, since rapidjson's reader costs about 150
// instructions a token in calls and state, while these bodies are mostly short names and values.
// It accepts exactly rapidjson's grammar without its optional flags: the whitespace, escapes and
// surrogate rules of its string parser, no byte check beyond control characters (no UTF-8
// validation), its literals, and rapidjson's own reading of every number but a short integer. A
// text it refuses is parsed by rapidjson again, for the error message.
//
// One difference, on purpose: rapidjson 1.1.0's SSE2 string scan compares against 0x19 where it
// means 0x1F, so it lets raw bytes 0x1A-0x1F through strings or not depending on where they fall
// in a 16-byte block. The scanner refuses every control character, as JSON and rapidjson's scalar
// code do.

#include "core/runtime/json_index.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <fmt/format.h>

namespace sluice::runtime {
namespace {

using Entry = JsonIndex::Entry;
using Type = JsonIndex::Type;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr size_t kNpos = std::string_view::npos;

// The document parse's flags (json_body.cc).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

std::optional<std::string> rapidjson_verdict(const std::string& text, unsigned max_depth) {
  rapidjson::StringStream stream(text.c_str());
  rapidjson::Reader reader;
  DepthCounter handler(max_depth);
  rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, handler);
  if (handler.too_deep()) return fmt::format("JSON nesting deeper than {} levels", max_depth);
  if (!result) {
    return fmt::format("invalid JSON at byte {}: {}", result.Offset(),
                       rapidjson::GetParseError_En(result.Code()));
  }
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    if (!is_space(text[i])) {
      return fmt::format("invalid JSON at byte {}: text after the document", i);
    }
  }
  return std::nullopt;
}

// One number as rapidjson reads it: the value its document would hold.
class NumberReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NumberReader> {
 public:
  // Converted as rapidjson's GetDouble converts each kind of number.
  bool Int(int i) { return take(static_cast<double>(i)); }
  bool Uint(unsigned u) { return take(static_cast<double>(u)); }
  bool Int64(int64_t i) { return take(static_cast<double>(i)); }
  bool Uint64(uint64_t u) { return take(static_cast<double>(u)); }
  bool Double(double d) { return take(d); }
  bool Default() { return false; }  // anything but a number
  double value = 0;

 private:
  bool take(double d) {
    value = d;
    return true;
  }
};

class Scanner {
 public:
  Scanner(const std::string& text, unsigned max_depth, std::vector<Entry>& entries,
          std::string& decoded)
      : s_(text.c_str()),
        n_(text.size()),
        max_depth_(max_depth),
        entries_(entries),
        decoded_(decoded) {}

  // Whether the text is JSON; the entries are complete when it is.
  bool run();
  size_t error_at() const { return error_at_; }
  const char* error() const { return error_; }

 private:
  enum class Next { value, member, after_value };

  bool fail(size_t i, const char* why) {
    error_at_ = i;
    error_ = why;
    return false;
  }
  size_t fail_at(size_t i, const char* why) {
    fail(i, why);
    return kNpos;
  }
  size_t skip_space(size_t i) const {
    while (i < n_ && is_space(s_[i])) ++i;
    return i;
  }
  size_t string_end(size_t i, bool* escaped);
  size_t escape_end(size_t i);
  bool hex4(size_t i, unsigned* out) const;
  size_t number_end(size_t i, double* value);
  void decode(size_t begin, size_t end);
  // Where a name or string value (the quoted bytes [begin, end)) reads from.
  void locate(size_t begin, size_t end, bool escaped, uint32_t* at, uint32_t* size, bool* decoded);
  bool open(char kind, uint32_t entry);
  void close(size_t i);
  size_t depth() const { return kinds_.size(); }

  const char* s_;  // NUL-terminated: rapidjson reads numbers from it
  size_t n_;
  unsigned max_depth_;
  std::vector<Entry>& entries_;
  std::string& decoded_;
  std::string kinds_;  // '{' or '[' for each open container
  unsigned open_ = 0;  // how many open containers, from the root, are indexed objects
  uint32_t owner_[JsonIndex::kLevels + 2] = {};  // by depth: the open container's entry, or kNone
  uint32_t last_[JsonIndex::kLevels + 1] = {};   // by depth: an indexed object's last member
  size_t error_at_ = 0;
  const char* error_ = "";
};

bool Scanner::run() {
  entries_.emplace_back();  // the root
  uint32_t pending = 0;     // the entry the next value belongs to
  size_t i = skip_space(0);
  Next next = Next::value;
  for (;;) {
    switch (next) {
      case Next::value: {
        if (i >= n_) return fail(i, "a value is missing");
        const uint32_t e = std::exchange(pending, kNone);
        if (e != kNone) entries_[e].begin = static_cast<uint32_t>(i);
        const char c = s_[i];
        if (c == '{' || c == '[') {
          if (!open(c, e)) return fail(i, "too deep");
          i = skip_space(i + 1);
          if (i < n_ && s_[i] == (c == '{' ? '}' : ']')) {  // empty
            close(i++);
            next = Next::after_value;
          } else {
            next = c == '{' ? Next::member : Next::value;
          }
          continue;
        }
        size_t end;
        Type type;
        double number = 0;
        bool escaped = false;
        if (c == '"') {
          end = string_end(i, &escaped);
          type = Type::string;
        } else if (c == 't' || c == 'f' || c == 'n') {
          std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
          if (n_ - i < word.size() || std::memcmp(s_ + i, word.data(), word.size()) != 0) {
            return fail(i, "an invalid literal");
          }
          end = i + word.size();
          type = c == 'n' ? Type::null : Type::boolean;
        } else {
          end = number_end(i, &number);
          type = Type::number;
        }
        if (end == kNpos) return false;
        if (e != kNone) {
          Entry& entry = entries_[e];
          entry.type = type;
          entry.end = static_cast<uint32_t>(end);
          entry.number = number;
          if (type == Type::string) {
            locate(i, end, escaped, &entry.str_at, &entry.str_size, &entry.str_decoded);
          }
        }
        i = end;
        next = Next::after_value;
        continue;
      }
      case Next::member: {  // at a member's name, after '{' or ','
        if (i >= n_ || s_[i] != '"') return fail(i, "a member name is missing");
        bool escaped = false;
        size_t end = string_end(i, &escaped);
        if (end == kNpos) return false;
        if (depth() == open_) {  // an indexed object: the member gets an entry
          pending = static_cast<uint32_t>(entries_.size());
          if (last_[open_] != kNone) entries_[last_[open_]].next = pending;
          last_[open_] = pending;
          Entry& entry = entries_.emplace_back();
          entry.parent = owner_[open_];
          locate(i, end, escaped, &entry.key_at, &entry.key_size, &entry.key_decoded);
        }
        i = skip_space(end);
        if (i >= n_ || s_[i] != ':') return fail(i, "a colon is missing");
        i = skip_space(i + 1);
        next = Next::value;
        continue;
      }
      case Next::after_value: {
        i = skip_space(i);
        if (kinds_.empty()) return i == n_ || fail(i, "text after the document");
        const char kind = kinds_.back();
        if (i < n_ && s_[i] == ',') {
          i = skip_space(i + 1);
          next = kind == '{' ? Next::member : Next::value;
          continue;
        }
        if (i < n_ && s_[i] == (kind == '{' ? '}' : ']')) {
          close(i++);
          continue;
        }
        return fail(i, "a comma or a closing bracket is missing");
      }
    }
  }
}

// From the opening quote at i to just past the closing one; npos when the string is invalid.
size_t Scanner::string_end(size_t i, bool* escaped) {
  size_t j = i + 1;
  for (;;) {
#if defined(__SSE2__)
    // Sixteen bytes at a time while they lie inside the text (never past it, unlike rapidjson).
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    while (j + 16 <= n_) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + j));
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(bytes, control), control));  // bytes <= 0x1F
      const int mask = _mm_movemask_epi8(special);
      if (mask != 0) {
        j += static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        break;
      }
      j += 16;
    }
#endif
    while (j < n_ && s_[j] != '"' && s_[j] != '\\' && static_cast<unsigned char>(s_[j]) >= 0x20) {
      ++j;
    }
    if (j >= n_) return fail_at(j, "a string is not closed");
    if (s_[j] == '"') return j + 1;
    if (s_[j] != '\\') return fail_at(j, "a control character in a string");
    *escaped = true;
    j = escape_end(j);
    if (j == kNpos) return kNpos;
  }
}

// Past the escape at i, with rapidjson's rules: a high surrogate must be followed by an escaped
// low one; a low surrogate alone is let through.
size_t Scanner::escape_end(size_t i) {
  if (i + 1 >= n_) return fail_at(i, "an invalid escape");
  switch (s_[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return i + 2;
    case 'u':
      break;
    default:
      return fail_at(i, "an invalid escape");
  }
  unsigned code = 0, low = 0;
  if (!hex4(i + 2, &code)) return fail_at(i, "an invalid \\u escape");
  if (code < 0xD800 || code > 0xDBFF) return i + 6;
  if (i + 7 >= n_ || s_[i + 6] != '\\' || s_[i + 7] != 'u' || !hex4(i + 8, &low) || low < 0xDC00 ||
      low > 0xDFFF) {
    return fail_at(i, "an invalid surrogate pair");
  }
  return i + 12;
}

bool Scanner::hex4(size_t i, unsigned* out) const {
  if (i > n_ || n_ - i < 4) return false;
  unsigned value = 0;
  for (size_t k = i; k < i + 4; ++k) {
    int digit = hex_value(s_[k]);
    if (digit < 0) return false;
    value = value * 16 + static_cast<unsigned>(digit);
  }
  *out = value;
  return true;
}

// Past the number at i. A short integer is read here; anything else (a fraction, an exponent,
// more digits, something malformed) is read by rapidjson, which decides what it is worth and
// where it ends, exactly as in the document.
size_t Scanner::number_end(size_t i, double* value) {
  size_t j = i;
  const bool negative = s_[j] == '-';
  if (negative) ++j;
  uint64_t integer = 0;
  size_t digits = 0;
  if (j < n_ && s_[j] == '0') {  // a leading zero is the whole integer part
    ++j;
    digits = 1;
  } else {
    for (; j < n_ && s_[j] >= '0' && s_[j] <= '9' && digits < 18; ++j, ++digits) {
      integer = integer * 10 + static_cast<uint64_t>(s_[j] - '0');
    }
  }
  const bool more =
      j < n_ && ((s_[j] >= '0' && s_[j] <= '9') || s_[j] == '.' || s_[j] == 'e' || s_[j] == 'E');
  if (digits > 0 && !more) {
    // As rapidjson: -0 is the integer 0, and an integer converts to the nearest double.
    const auto signed_value = static_cast<int64_t>(integer);
    *value = static_cast<double>(negative ? -signed_value : signed_value);
    return j;
  }
  if (s_[i] != '-' && (s_[i] < '0' || s_[i] > '9')) return fail_at(i, "an invalid value");
  rapidjson::StringStream stream(s_ + i);
  rapidjson::Reader reader;
  NumberReader number;
  rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, number);
  if (!result) return fail_at(i + result.Offset(), "an invalid number");
  *value = number.value;
  return i + stream.Tell();
}

// Appends the decoded bytes of a string's content [begin, end), already validated.
void Scanner::decode(size_t begin, size_t end) {
  auto encode = [this](unsigned code) {  // UTF-8, as rapidjson's UTF8::Encode
    if (code <= 0x7F) {
      decoded_.push_back(static_cast<char>(code));
    } else if (code <= 0x7FF) {
      decoded_.push_back(static_cast<char>(0xC0 | (code >> 6)));
      decoded_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code <= 0xFFFF) {
      decoded_.push_back(static_cast<char>(0xE0 | (code >> 12)));
      decoded_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      decoded_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      decoded_.push_back(static_cast<char>(0xF0 | (code >> 18)));
      decoded_.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      decoded_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      decoded_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  };
  for (size_t k = begin; k < end;) {
    if (s_[k] != '\\') {
      decoded_.push_back(s_[k++]);
      continue;
    }
    const char e = s_[k + 1];
    k += 2;
    switch (e) {
      case 'b':
        decoded_.push_back('\b');
        break;
      case 'f':
        decoded_.push_back('\f');
        break;
      case 'n':
        decoded_.push_back('\n');
        break;
      case 'r':
        decoded_.push_back('\r');
        break;
      case 't':
        decoded_.push_back('\t');
        break;
      case 'u': {
        unsigned code = 0, low = 0;
        hex4(k, &code);
        k += 4;
        if (code >= 0xD800 && code <= 0xDBFF) {
          hex4(k + 2, &low);
          k += 6;
          code = (((code - 0xD800) << 10) | (low - 0xDC00)) + 0x10000;
        }
        encode(code);
        break;
      }
      default:  // '"', '\\' and '/' stand for themselves
        decoded_.push_back(e);
    }
  }
}

void Scanner::locate(size_t begin, size_t end, bool escaped, uint32_t* at, uint32_t* size,
                     bool* decoded) {
  if (!escaped) {  // the bytes between the quotes are the value
    *at = static_cast<uint32_t>(begin + 1);
    *size = static_cast<uint32_t>(end - begin - 2);
    return;
  }
  *at = static_cast<uint32_t>(decoded_.size());
  decode(begin + 1, end - 1);
  *size = static_cast<uint32_t>(decoded_.size() - *at);
  *decoded = true;
}

bool Scanner::open(char kind, uint32_t entry) {
  if (depth() >= max_depth_) return false;  // as the document's handler: ++depth > max_depth
  kinds_.push_back(kind);
  const size_t d = depth();
  if (d < std::size(owner_)) owner_[d] = entry;
  if (entry == kNone) return true;
  Entry& e = entries_[entry];
  e.type = kind == '{' ? Type::object : Type::array;
  if (kind == '{' && open_ < JsonIndex::kLevels) {  // its parent is indexed, as it has an entry
    e.members_indexed = true;
    open_ = static_cast<unsigned>(d);
    last_[open_] = kNone;
  }
  return true;
}

void Scanner::close(size_t i) {
  const size_t d = depth();
  if (d < std::size(owner_) && owner_[d] != kNone) {
    entries_[owner_[d]].end = static_cast<uint32_t>(i + 1);
  }
  if (d == open_) --open_;
  kinds_.pop_back();
}

}  // namespace

std::optional<std::string> JsonIndex::build(const std::string& text, unsigned max_depth) {
  max_depth_ = max_depth;
  entries_.clear();
  decoded_.clear();
  if (text.size() >= kNone) return rapidjson_verdict(text, max_depth);  // valid: nothing indexed
  entries_.reserve(32);  // a chat completion's answer has about 20
  Scanner scanner(text, max_depth, entries_, decoded_);
  if (scanner.run()) return std::nullopt;
  entries_.clear();
  if (auto error = rapidjson_verdict(text, max_depth)) return error;
  // rapidjson took it (a control byte its SSE2 scan let through): the scanner's words then.
  return fmt::format("invalid JSON at byte {}: {}", scanner.error_at(), scanner.error());
}

uint32_t JsonIndex::member(uint32_t object, std::string_view name, std::string_view text) const {
  uint32_t i = object + 1;  // the first member, if any, comes right after its object
  if (i >= entries_.size() || entries_[i].parent != object) return kNone;
  for (; i != kNone; i = entries_[i].next) {
    const Entry& e = entries_[i];
    if (e.key_size != name.size()) continue;
    const char* key = (e.key_decoded ? decoded_.data() : text.data()) + e.key_at;
    if (name.empty() || (key[0] == name[0] && std::memcmp(key, name.data(), name.size()) == 0)) {
      return i;
    }
  }
  return kNone;
}

JsonIndex::Lookup JsonIndex::find(std::string_view text, std::string_view pointer) const {
  if (entries_.empty()) return {Status::unknown, 0};
  if (pointer.empty()) return {Status::found, 0};
  if (pointer.front() != '/') {
    return {pointer.front() == '#' ? Status::unknown : Status::absent, 0};
  }
  const bool escapes = pointer.find('~') != std::string_view::npos;
  uint32_t current = 0;
  size_t start = 1;
  std::string unescaped;
  for (;;) {
    const Entry& e = entries_[current];
    if (e.type == Type::array || (e.type == Type::object && !e.members_indexed)) {
      return {Status::unknown, 0};
    }
    if (e.type != Type::object) return {Status::absent, 0};  // nothing inside a scalar
    const size_t end = std::min(pointer.find('/', start), pointer.size());
    std::string_view token = pointer.substr(start, end - start);
    if (escapes && token.find('~') != std::string_view::npos) {
      // ~0 is '~' and ~1 is '/'; any other '~' resolves to nothing
      unescaped.clear();
      for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] != '~') {
          unescaped.push_back(token[i]);
        } else if (i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
          unescaped.push_back(token[++i] == '0' ? '~' : '/');
        } else {
          return {Status::absent, 0};
        }
      }
      token = unescaped;
    }
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
  for (Entry& e : entries_) {
    if (e.begin >= old_end) e.begin += delta;
    if (e.end >= old_end) e.end += delta;
    if (!e.key_decoded && e.key_at >= old_end) e.key_at += delta;
    if (e.type == Type::string && !e.str_decoded && e.str_at >= old_end) e.str_at += delta;
  }
  Entry& e = entries_[i];
  e.end = static_cast<uint32_t>(e.begin + size);
  e.str_at = e.begin + 1;
  e.str_size = static_cast<uint32_t>(size - 2);
  e.str_decoded = false;
}

}  // namespace sluice::runtime
