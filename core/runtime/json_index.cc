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

// Entry::initials' bit for a name that starts with `initial` (0 for an empty name).
uint32_t initial_bit(char initial) {
  return uint32_t{1} << (static_cast<unsigned char>(initial) & 31);
}

// The document parse's flags (json_body.cc).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;

// JSON's whitespace: ' ', '\t', '\n', '\r'. One comparison settles every byte above ' ', which
// is what follows most tokens.
bool is_space(char c) {
  constexpr uint64_t kSpaces = (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
  const auto byte = static_cast<unsigned char>(c);
  return byte <= ' ' && ((kSpaces >> byte) & 1) != 0;
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

// The bytes a scan of a string stops at: its end, an escape, a control byte; in a name, also '/'
// and '~', which a JSON pointer spells differently (JsonIndex::find compares names with pointers).
enum class Stops { string, name };

template <Stops kStops>
bool is_stop(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
         (kStops == Stops::name && (c == '/' || c == '~'));
}

// The first stop at or after i in s, which holds n bytes and then a NUL: at the latest that NUL.
// Most strings end within sixteen bytes; a few run long.
template <Stops kStops>
size_t next_stop_near(const char* s, size_t i) {
  while (!is_stop<kStops>(s[i])) ++i;
  return i;
}

#if defined(__SSE2__)
// Where the sixteen bytes at p hold a stop, a bit a byte. Blocks are read only while they lie
// inside the text (never past it, unlike rapidjson).
template <Stops kStops>
unsigned stop_mask(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i control = _mm_set1_epi8(0x1F);
  __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                            _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))),
                               _mm_cmpeq_epi8(_mm_max_epu8(bytes, control), control));  // <= 0x1F
  if constexpr (kStops == Stops::name) {
    stops = _mm_or_si128(stops, _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('/')),
                                             _mm_cmpeq_epi8(bytes, _mm_set1_epi8('~'))));
  }
  return static_cast<unsigned>(_mm_movemask_epi8(stops));
}

template <Stops kStops>
size_t next_stop_far(const char* s, size_t n, size_t i) {
  // Sixty-four bytes a test while nothing shows, then sixteen to find the byte.
  for (; i + 64 <= n; i += 64) {
    if ((stop_mask<kStops>(s + i) | stop_mask<kStops>(s + i + 16) | stop_mask<kStops>(s + i + 32) |
         stop_mask<kStops>(s + i + 48)) != 0) {
      break;
    }
  }
  for (; i + 16 <= n; i += 16) {
    if (const unsigned mask = stop_mask<kStops>(s + i)) return i + __builtin_ctz(mask);
  }
  return next_stop_near<kStops>(s, i);
}

template <Stops kStops>
size_t next_stop(const char* s, size_t n, size_t i) {
  if (i + 16 > n) return next_stop_near<kStops>(s, i);
  if (const unsigned mask = stop_mask<kStops>(s + i)) return i + __builtin_ctz(mask);
  return next_stop_far<kStops>(s, n, i + 16);
}
#else
template <Stops kStops>
size_t next_stop(const char* s, size_t, size_t i) {
  return next_stop_near<kStops>(s, i);
}
#endif

// One bit a level for the open containers, set for an object: the scanner's only state for every
// level, kept in a word for the usual depth bounds and grown only past them.
class ContainerKinds {
 public:
  void push(unsigned depth, bool object) {  // depth: the new container's, from 1
    if (depth <= kWordLevels) {
      const uint64_t bit = uint64_t{1} << (depth - 1);
      shallow_ = object ? shallow_ | bit : shallow_ & ~bit;
    } else {
      deeper_.push_back(object);
    }
  }
  void pop(unsigned depth) {
    if (depth > kWordLevels) deeper_.pop_back();
  }
  bool object(unsigned depth) const {
    return depth <= kWordLevels ? (shallow_ >> (depth - 1)) & 1 : deeper_.back();
  }

 private:
  static constexpr unsigned kWordLevels = 64;
  uint64_t shallow_ = 0;
  std::vector<bool> deeper_;
};

// Reads every position up to n_ included: the text's terminating NUL matches no token, so it ends
// every scan without a bounds check of its own (a NUL inside the text is refused where it stands:
// a control character in a string, a missing token elsewhere).
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
  // Whether no indexed name holds a '/', a '~' or an escape.
  bool plain_names() const { return plain_names_; }
  size_t error_at() const { return error_at_; }
  const char* error() const { return error_; }

 private:
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
    while (is_space(s_[i])) ++i;  // stops at the NUL
    return i;
  }
  size_t member(size_t i, uint32_t* entry);
  uint32_t add_member(size_t name_begin, size_t name_end, bool escaped);
  size_t scalar(size_t i, uint32_t entry);
  size_t literal(size_t i, std::string_view word);
  size_t string_end(size_t i, bool* escaped);
  size_t string_end_after(size_t j, bool* escaped);
  size_t name_end(size_t i, bool* escaped, bool* odd);
  size_t escape_end(size_t i);
  bool hex4(size_t i, unsigned* out) const;
  size_t number_end(size_t i, double* value);
  void decode(size_t begin, size_t end);
  // Where a name or string value (the quoted bytes [begin, end)) reads from.
  void locate(size_t begin, size_t end, bool escaped, uint32_t* at, uint32_t* size, bool* decoded);
  bool open(bool object, uint32_t entry);
  bool close(size_t i);

  const char* s_;  // NUL-terminated (see above); rapidjson reads numbers from it too
  size_t n_;
  unsigned max_depth_;
  std::vector<Entry>& entries_;
  std::string& decoded_;
  unsigned depth_ = 0;  // how many containers are open
  ContainerKinds kinds_;
  unsigned open_ = 0;  // how many open containers, from the root, are indexed objects
  uint32_t owner_[JsonIndex::kLevels + 2] = {};  // by depth: the open container's entry, or kNone
  uint32_t last_[JsonIndex::kLevels + 1] = {};   // by depth: an indexed object's last member
  bool plain_names_ = true;
  size_t error_at_ = 0;
  const char* error_ = "";
};

bool Scanner::run() {
  entries_.emplace_back();  // the root
  uint32_t entry = 0;       // the entry of the value at i, or kNone
  bool named = false;       // whether a name comes before the value: inside an object
  size_t i = skip_space(0);
  // One pass through one loop, so member() and scalar() each have one caller and are inlined.
  for (;;) {
    if (named && (i = member(i, &entry)) == kNpos) return false;
    // At a value.
    if (entry != kNone) entries_[entry].begin = static_cast<uint32_t>(i);
    if (s_[i] == '{' || s_[i] == '[') {
      named = s_[i] == '{';
      if (!open(named, entry)) return fail(i, "too deep");
      i = skip_space(i + 1);
      entry = kNone;
      if (s_[i] != (named ? '}' : ']')) continue;  // at its first member or element
      named = close(i++);
    } else if ((i = scalar(i, entry)) == kNpos) {
      return false;
    }
    // After a value: close the containers that end here, then on to the next member or element.
    for (;;) {
      i = skip_space(i);
      if (depth_ == 0) return i == n_ || fail(i, "text after the document");
      if (s_[i] == ',') break;
      if (s_[i] != (named ? '}' : ']')) return fail(i, "a comma or a closing bracket is missing");
      named = close(i++);
    }
    i = skip_space(i + 1);
    entry = kNone;
  }
}

// From a member's name at i to its value; *entry is the member's entry when its object is indexed.
size_t Scanner::member(size_t i, uint32_t* entry) {
  if (s_[i] != '"') return fail_at(i, "a member name is missing");
  bool escaped = false, odd = false;
  const size_t end = name_end(i, &escaped, &odd);
  if (end == kNpos) return kNpos;
  if (depth_ == open_) {
    *entry = add_member(i, end, escaped);
    plain_names_ = plain_names_ && !odd;
  }
  i = skip_space(end);
  if (s_[i] != ':') return fail_at(i, "a colon is missing");
  return skip_space(i + 1);
}

uint32_t Scanner::add_member(size_t name_begin, size_t name_end, bool escaped) {
  const auto entry = static_cast<uint32_t>(entries_.size());
  Entry& object = entries_[owner_[open_]];
  object.initials |= initial_bit(name_end - name_begin > 2 ? s_[name_begin + 1] : '\0');
  uint32_t& last = last_[open_];
  (last == kNone ? object.first : entries_[last].next) = entry;
  last = entry;
  Entry& e = entries_.emplace_back();
  locate(name_begin, name_end, escaped, &e.key_at, &e.key_size, &e.key_decoded);
  return entry;
}

// Past the string, number or literal at i, recorded in entry unless that is kNone.
size_t Scanner::scalar(size_t i, uint32_t entry) {
  size_t end;
  Type type;
  double number = 0;
  bool escaped = false;
  switch (s_[i]) {
    case '"':
      end = string_end(i, &escaped);
      type = Type::string;
      break;
    case 't':
      end = literal(i, "true");
      type = Type::boolean;
      break;
    case 'f':
      end = literal(i, "false");
      type = Type::boolean;
      break;
    case 'n':
      end = literal(i, "null");
      type = Type::null;
      break;
    default:
      end = number_end(i, &number);
      type = Type::number;
  }
  if (end == kNpos || entry == kNone) return end;
  Entry& e = entries_[entry];
  e.type = type;
  e.end = static_cast<uint32_t>(end);
  e.number = number;
  if (type == Type::string) locate(i, end, escaped, &e.str_at, &e.str_size, &e.str_decoded);
  return end;
}

size_t Scanner::literal(size_t i, std::string_view word) {
  // Byte by byte: a byte is read only after the one before it matched, so never past the NUL.
  for (size_t k = 1; k < word.size(); ++k) {
    if (s_[i + k] != word[k]) return fail_at(i, "an invalid literal");
  }
  return i + word.size();
}

// From the opening quote at i to just past the closing one; npos when the string is invalid.
size_t Scanner::string_end(size_t i, bool* escaped) {
  const size_t j = next_stop<Stops::string>(s_, n_, i + 1);
  return s_[j] == '"' ? j + 1 : string_end_after(j, escaped);  // most strings have no escape
}

// string_end for a name, which notes in *odd whether it holds a '/', a '~' or an escape.
size_t Scanner::name_end(size_t i, bool* escaped, bool* odd) {
  size_t j = next_stop<Stops::name>(s_, n_, i + 1);
  if (s_[j] == '"') return j + 1;  // most names
  *odd = true;
  if (s_[j] == '/' || s_[j] == '~') j = next_stop<Stops::string>(s_, n_, j + 1);
  return s_[j] == '"' ? j + 1 : string_end_after(j, escaped);
}

// string_end from the first byte at j that is not plain text.
size_t Scanner::string_end_after(size_t j, bool* escaped) {
  for (;; j = next_stop<Stops::string>(s_, n_, j)) {
    if (s_[j] == '"') return j + 1;
    if (s_[j] != '\\') {
      return fail_at(j, j == n_ ? "a string is not closed" : "a control character in a string");
    }
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

// Enters the container at the current position; false past the depth bound.
bool Scanner::open(bool object, uint32_t entry) {
  if (depth_ >= max_depth_) return false;  // as the document's handler: ++depth > max_depth
  kinds_.push(++depth_, object);
  if (depth_ < std::size(owner_)) owner_[depth_] = entry;
  if (entry == kNone) return true;
  Entry& e = entries_[entry];
  e.type = object ? Type::object : Type::array;
  if (object && open_ < JsonIndex::kLevels) {  // its parent is indexed, as it has an entry
    e.members_indexed = true;
    open_ = depth_;
    last_[open_] = kNone;
  }
  return true;
}

// Leaves the innermost container, whose closing bracket is at i; whether the one around it (if
// any) is an object.
bool Scanner::close(size_t i) {
  if (depth_ < std::size(owner_) && owner_[depth_] != kNone) {
    entries_[owner_[depth_]].end = static_cast<uint32_t>(i + 1);
  }
  if (depth_ == open_) --open_;
  kinds_.pop(depth_--);
  return depth_ > 0 && kinds_.object(depth_);
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

// Whether entry e can have members to look for; if not, what a lookup inside it gives.
std::optional<JsonIndex::Status> leaf_status(const Entry& e) {
  if (e.members_indexed) return std::nullopt;
  // Nothing inside a scalar; the document knows what is inside the other containers.
  const bool container = e.type == Type::object || e.type == Type::array;
  return container ? JsonIndex::Status::unknown : JsonIndex::Status::absent;
}

}  // namespace

std::optional<std::string> JsonIndex::build(const std::string& text, unsigned max_depth) {
  max_depth_ = max_depth;
  entries_.clear();
  decoded_.clear();
  if (text.size() >= kNone) return rapidjson_verdict(text, max_depth);  // valid: nothing indexed
  // A chat completion's answer has about 20 entries; 20 of 48 bytes stay within the sizes glibc
  // serves from its per-thread cache (up to 1032 bytes), a quarter of the cost of a larger block.
  entries_.reserve(20);
  Scanner scanner(text, max_depth, entries_, decoded_);
  if (scanner.run()) {
    plain_names_ = scanner.plain_names();
    return std::nullopt;
  }
  entries_.clear();
  if (auto error = rapidjson_verdict(text, max_depth)) return error;
  // rapidjson took it (a control byte its SSE2 scan let through): the scanner's words then.
  return fmt::format("invalid JSON at byte {}: {}", scanner.error_at(), scanner.error());
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

JsonIndex::Lookup JsonIndex::find(std::string_view text, std::string_view pointer) const {
  if (entries_.empty()) return {Status::unknown, 0};
  if (pointer.empty()) return {Status::found, 0};
  if (pointer.front() != '/') {
    return {pointer.front() == '#' ? Status::unknown : Status::absent, 0};
  }
  if (!plain_names_) return find_by_tokens(text, pointer);
  // No name holds a '/' or a '~', so the pointer's tokens need not be cut out and decoded: a name
  // is the next token when the rest of the pointer starts with it and a '/' or the end follows,
  // and a token with a '~' (which decodes to a '~' or a '/', or to nothing) is no name.
  uint32_t current = 0;
  for (size_t start = 1;;) {
    if (auto status = leaf_status(entries_[current])) return {*status, 0};
    const std::string_view rest = pointer.substr(start);
    const bool empty_token = rest.empty() || rest.front() == '/';
    if ((entries_[current].initials & initial_bit(empty_token ? '\0' : rest.front())) == 0) {
      return {Status::absent, 0};
    }
    uint32_t i = entries_[current].first;
    for (; i != kNone; i = entries_[i].next) {
      const Entry& e = entries_[i];
      if (e.key_size > rest.size() || (e.key_size < rest.size() && rest[e.key_size] != '/')) {
        continue;
      }
      const char* name = key(e, text, decoded_);
      if (e.key_size == 0 ||
          (name[0] == rest[0] && std::memcmp(name, rest.data(), e.key_size) == 0)) {
        break;
      }
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
JsonIndex::Lookup JsonIndex::find_by_tokens(std::string_view text, std::string_view pointer) const {
  uint32_t current = 0;
  std::string token;
  for (size_t start = 1;;) {
    if (auto status = leaf_status(entries_[current])) return {*status, 0};
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
