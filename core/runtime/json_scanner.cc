// JsonScanner: the strict scan behind JsonIndex::build, written for the index, since rapidjson's
// reader costs about 150 instructions a token in calls and state, while these bodies are mostly
// short names and values. It accepts exactly rapidjson's grammar without its optional flags: the
// whitespace, escapes and surrogate rules of its string parser, no byte check beyond control
// characters (no UTF-8 validation), its literals, and rapidjson's own reading of every number but a
// short integer. A text it refuses is parsed by rapidjson again, for the error message.
//
// One difference, on purpose: rapidjson 1.1.0's SSE2 string scan compares against 0x19 where it
// means 0x1F, so it lets raw bytes 0x1A-0x1F through strings or not depending on where they fall
// in a 16-byte block. The scanner refuses every control character, as JSON and rapidjson's scalar
// code do.

#include "core/runtime/json_scanner.h"

#include <algorithm>
#include <iterator>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/reader.h>

namespace sluice::runtime {
namespace {

using Entry = JsonIndex::Entry;
using Type = JsonIndex::Type;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// The document parse's flags (json_body.cc).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;

// JSON's whitespace: ' ', '\t', '\n', '\r'. One comparison settles every byte above ' ', which
// is what follows most tokens.
bool is_space(char c) {
  constexpr uint64_t kSpaces = (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
  const auto byte = static_cast<unsigned char>(c);
  return byte <= ' ' && ((kSpaces >> byte) & 1) != 0;
}

// The escapes of one letter after the backslash, and the bytes they stand for.
constexpr std::string_view kEscapeLetters = "\"\\/bfnrt";
constexpr std::string_view kEscapedBytes = "\"\\/\b\f\n\r\t";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

// The first stop at or after p, in a text followed by a NUL at `end`: at the latest `end`. Most
// strings end within sixteen bytes; a few run long.
template <Stops kStops>
const char* next_stop_near(const char* p) {
  while (!is_stop<kStops>(*p)) ++p;
  return p;
}

#if defined(__SSE2__)
// Where the sixteen bytes at p hold a stop: 0xFF in those bytes. Blocks are read only while they
// lie inside the text (never past it, unlike rapidjson).
template <Stops kStops>
__m128i stop_bytes(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // With bit 1 flipped, '"' (0x22) becomes 0x20 and the control bytes stay below it: one unsigned
  // comparison finds both.
  const __m128i flipped = _mm_xor_si128(bytes, _mm_set1_epi8(0x02));
  const __m128i space = _mm_set1_epi8(0x20);
  __m128i stops = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(flipped, space), space),
                               _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\')));
  if constexpr (kStops == Stops::name) {
    stops = _mm_or_si128(stops, _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('/')),
                                             _mm_cmpeq_epi8(bytes, _mm_set1_epi8('~'))));
  }
  return stops;
}

// stop_bytes as a bit a byte.
template <Stops kStops>
unsigned stop_mask(const char* p) {
  return static_cast<unsigned>(_mm_movemask_epi8(stop_bytes<kStops>(p)));
}

// Whether the sixty-four bytes at p hold a string's stop: stop_bytes with the four blocks folded
// into one before the tests (the unsigned minimum keeps, in each lane, the byte the range test
// looks for, if any block has one there).
inline bool string_stop_in_64(const char* p) {
  const auto load = [p](int k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p) + k); };
  const __m128i a = load(0), b = load(1), c = load(2), d = load(3);
  const __m128i flip = _mm_set1_epi8(0x02);
  const __m128i lowest = _mm_min_epu8(_mm_min_epu8(_mm_xor_si128(a, flip), _mm_xor_si128(b, flip)),
                                      _mm_min_epu8(_mm_xor_si128(c, flip), _mm_xor_si128(d, flip)));
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i escapes =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, backslash), _mm_cmpeq_epi8(b, backslash)),
                   _mm_or_si128(_mm_cmpeq_epi8(c, backslash), _mm_cmpeq_epi8(d, backslash)));
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i stops = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(lowest, space), space), escapes);
  return _mm_movemask_epi8(stops) != 0;
}

// next_stop past the first sixteen bytes: long strings, out of the way of the short ones.
template <Stops kStops>
[[gnu::noinline]] const char* next_stop_far(const char* p, const char* end) {
  // Sixty-four bytes a test while nothing shows, then sixteen to find the byte. Not for names:
  // a name longer than sixteen bytes is seldom much longer.
  if constexpr (kStops == Stops::string) {
    for (auto blocks = (end - p) / 64; blocks > 0 && !string_stop_in_64(p); --blocks) p += 64;
  }
  for (; end - p >= 16; p += 16) {
    if (const unsigned mask = stop_mask<kStops>(p)) return p + __builtin_ctz(mask);
  }
  return next_stop_near<kStops>(p);
}

template <Stops kStops>
[[gnu::always_inline]] inline const char* next_stop(const char* p, const char* end) {
  if (end - p < 16) return next_stop_near<kStops>(p);
  if (const unsigned mask = stop_mask<kStops>(p)) return p + __builtin_ctz(mask);
  return next_stop_far<kStops>(p + 16, end);
}
#else
template <Stops kStops>
const char* next_stop(const char* p, const char*) {
  return next_stop_near<kStops>(p);
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

// What a scan of a quoted string met on the way to its closing quote.
enum : unsigned {
  kEscaped = 1,  // an escape: the value is not the bytes between the quotes
  kOdd = 2,      // in a name: an escape, a '/' or a '~' (not compared with pointers as it stands)
};

// A scanned string: just past its closing quote (nullptr once the text is refused), and flags.
struct Quoted {
  const char* end;
  unsigned flags;
};

// A scanned number: just past it (nullptr once the text is refused), and its value.
struct Number {
  const char* end;
  double value;
};

// Reads every byte up to the one past the text, its terminating NUL, which matches no token: the
// NUL ends every scan without a bounds check of its own (a NUL inside the text is refused where
// it stands: a control character in a string, a missing token elsewhere). Positions are pointers
// into the text; nullptr once the text is refused (error_at() says where). The helpers return what
// they found rather than write it through pointers, so the loop's state stays in registers.
class Scanner {
 public:
  // text: followed by a NUL (std::string's), or, for run_object, one that run() accepted.
  Scanner(std::string_view text, unsigned max_depth, std::vector<Entry>& entries,
          std::string& decoded)
      : text_(text.data()),
        end_(text_ + text.size()),
        max_depth_(max_depth),
        entries_(entries),
        decoded_(decoded) {}

  // Whether the text is JSON; the entries are complete when it is (members down to
  // JsonIndex::kScannedLevels).
  bool run();
  // Indexes the members of entries_[object], an object of the text run() accepted, and of no
  // object inside it; false should that text not be what run() accepted.
  bool run_object(uint32_t object);
  // Whether no indexed name holds a '/', a '~' or an escape.
  bool plain_names() const { return plain_names_; }
  size_t error_at() const { return error_at_; }
  const char* error() const { return error_; }

 private:
  const char* fail(const char* p, const char* why) {
    error_at_ = static_cast<size_t>(p - text_);
    error_ = why;
    return nullptr;
  }
  bool refuse(const char* p, const char* why) { return fail(p, why) != nullptr; }
  uint32_t offset(const char* p) const { return static_cast<uint32_t>(p - text_); }
  // Most tokens are followed by one that is not whitespace: one comparison settles those.
  static const char* skip_space(const char* p) {
    return static_cast<unsigned char>(*p) > ' ' ? p : skip_space_from(p);
  }
  static const char* skip_space_from(const char* p) {
    while (is_space(*p)) ++p;
    return p;
  }
  Quoted name(const char* p);
  Quoted string(const char* p);
  const char* string_end_after(const char* p);
  const char* escape_end(const char* p);
  bool hex4(const char* p, unsigned* out) const;
  const char* literal(const char* p, std::string_view word);
  Number number(const char* p);
  Number long_number(const char* p);
  bool scan(const char* p, Entry* entry);
  Entry* add_member(const char* name, Quoted quoted);
  void make_room();
  void locate(const char* begin, Quoted quoted, uint32_t* at, uint32_t* size, bool* decoded);
  void record(Entry* e, Type type, const char* end, double number);
  bool open(bool object, Entry* entry);
  bool close(const char* p);
  // Decodes a string's content [begin, end), already validated, into decoded_: where it starts.
  uint32_t decode(const char* begin, const char* end);

  const char* text_;  // rapidjson reads numbers from it too
  const char* end_;   // the NUL after the text
  unsigned max_depth_;
  std::vector<Entry>& entries_;
  std::string& decoded_;
  uint32_t count_ = 0;  // entries so far: the last one added is count_ - 1
  unsigned depth_ = 0;  // how many containers are open
  ContainerKinds kinds_;
  unsigned open_ = 0;  // how many open containers, from the root, are indexed objects
  uint32_t owner_[JsonIndex::kLevels + 2] = {};  // by depth: the open container's entry, or kNone
  // The innermost indexed object (while depth_ == open_, the one whose members are recorded), and
  // where the index of its next member goes: its `first`, then its last member's `next`. Pointers
  // into entries_, which make_room() moves with the entries.
  Entry* object_ = nullptr;
  uint32_t* link_ = nullptr;
  unsigned levels_ = JsonIndex::kScannedLevels;  // how many levels of objects to index
  bool whole_ = true;  // the value scanned is the whole text, which ends with it
  bool plain_names_ = true;
  size_t error_at_ = 0;
  const char* error_ = "";
};

bool Scanner::run() {
  const char* p = skip_space(text_);
  Entry* root = &entries_.emplace_back();
  root->begin = offset(p);
  count_ = 1;
  return scan(p, root);
}

bool Scanner::run_object(uint32_t object) {
  Entry* entry = &entries_[object];
  if (entry->type != Type::object || entry->end > static_cast<size_t>(end_ - text_)) return false;
  count_ = static_cast<uint32_t>(entries_.size());
  levels_ = 1;
  whole_ = false;
  return scan(text_ + entry->begin, entry);
}

// The value at p, recorded in entry (unless nullptr), to its end: the text's, or the value's when
// it is not the whole text.
bool Scanner::scan(const char* p, Entry* entry) {
  bool named = false;  // whether a name comes before the value: inside an object
  for (;;) {
    if (named) {  // at a member's name
      if (*p != '"') return refuse(p, "a member name is missing");
      const Quoted quoted = name(p);
      if (!quoted.end) return false;
      entry = depth_ == open_ ? add_member(p, quoted) : nullptr;
      p = skip_space(quoted.end);
      if (*p != ':') return refuse(p, "a colon is missing");
      p = skip_space(p + 1);
      if (entry) entry->begin = offset(p);
    }
    // At a value.
    const char* end;
    switch (*p) {
      case '{':
      case '[':
        named = *p == '{';
        if (!open(named, entry)) return refuse(p, "too deep");
        p = skip_space(p + 1);
        entry = nullptr;
        if (*p != (named ? '}' : ']')) continue;  // at its first member or element
        named = close(p);
        end = p + 1;
        break;
      case '"': {
        const Quoted quoted = string(p);
        if (!quoted.end) return false;
        if (entry) {
          entry->type = Type::string;
          entry->end = offset(quoted.end);
          locate(p, quoted, &entry->str_at, &entry->str_size, &entry->str_decoded);
        }
        end = quoted.end;
        break;
      }
      case 't':
        if (!(end = literal(p, "true"))) return false;
        if (entry) record(entry, Type::boolean, end, 0);
        break;
      case 'f':
        if (!(end = literal(p, "false"))) return false;
        if (entry) record(entry, Type::boolean, end, 0);
        break;
      case 'n':
        if (!(end = literal(p, "null"))) return false;
        if (entry) record(entry, Type::null, end, 0);
        break;
      default: {
        const Number n = number(p);
        if (!(end = n.end)) return false;
        if (entry) record(entry, Type::number, end, n.value);
      }
    }
    // After a value: close the containers that end here, then on to the next member or element.
    for (p = skip_space(end);; p = skip_space(p + 1)) {
      if (*p == ',' && depth_ != 0) break;
      if (*p != (named ? '}' : ']') || depth_ == 0) {
        if (depth_ == 0) return !whole_ || p == end_ || refuse(p, "text after the document");
        return refuse(p, "a comma or a closing bracket is missing");
      }
      named = close(p);
    }
    p = skip_space(p + 1);
    entry = nullptr;
  }
}

Entry* Scanner::add_member(const char* name, Quoted quoted) {
  if (quoted.flags & kOdd) plain_names_ = false;
  if (entries_.size() == entries_.capacity()) make_room();
  *link_ = count_++;
  Entry& e = entries_.emplace_back();
  link_ = &e.next;
  object_->initials |= JsonIndex::initial_bit(name[1]);
  locate(name, quoted, &e.key_at, &e.key_size, &e.key_decoded);
  return &e;
}

// Grows entries_ ahead of an emplace_back, so that the pointers into it can follow.
void Scanner::make_room() {
  const Entry* before = entries_.data();
  entries_.reserve(std::max<size_t>(entries_.capacity() * 2, 16));
  const auto moved = [&](auto* pointer) {
    const auto at = reinterpret_cast<const char*>(pointer) - reinterpret_cast<const char*>(before);
    return reinterpret_cast<decltype(pointer)>(reinterpret_cast<char*>(entries_.data()) + at);
  };
  object_ = moved(object_);
  link_ = moved(link_);
}

// Where a name or string value (the quoted bytes from begin) reads from.
void Scanner::locate(const char* begin, Quoted quoted, uint32_t* at, uint32_t* size,
                     bool* decoded) {
  if (quoted.flags & kEscaped) {
    *at = decode(begin + 1, quoted.end - 1);
    *size = static_cast<uint32_t>(decoded_.size() - *at);
    *decoded = true;
  } else {  // the bytes between the quotes are the value
    *at = offset(begin + 1);
    *size = static_cast<uint32_t>(quoted.end - begin - 2);
  }
}

void Scanner::record(Entry* e, Type type, const char* end, double number) {
  e->type = type;
  e->end = offset(end);
  e->number = number;
}

const char* Scanner::literal(const char* p, std::string_view word) {
  // Byte by byte: a byte is read only after the one before it matched, so never past the NUL.
  for (size_t k = 1; k < word.size(); ++k) {
    if (p[k] != word[k]) return fail(p, "an invalid literal");
  }
  return p + word.size();
}

// From the opening quote at p to just past the closing one.
Quoted Scanner::string(const char* p) {
  const char* stop = next_stop<Stops::string>(p + 1, end_);
  if (*stop == '"') return {stop + 1, 0};  // most strings: no escape
  return {string_end_after(stop), kEscaped};
}

// string() for a name, which is odd when it holds a '/', a '~' or an escape.
Quoted Scanner::name(const char* p) {
  const char* stop = next_stop<Stops::name>(p + 1, end_);
  if (*stop == '"') return {stop + 1, 0};  // most names
  if (*stop == '/' || *stop == '~') stop = next_stop<Stops::string>(stop + 1, end_);
  if (*stop == '"') return {stop + 1, kOdd};
  return {string_end_after(stop), kOdd | kEscaped};
}

// From the first byte at p that is not plain text to just past the closing quote. The string has
// an escape when that succeeds, as anything else but the quote is refused.
const char* Scanner::string_end_after(const char* p) {
  for (;; p = next_stop<Stops::string>(p, end_)) {
    if (*p == '"') return p + 1;
    if (*p != '\\') {
      return fail(p, p == end_ ? "a string is not closed" : "a control character in a string");
    }
    if (!(p = escape_end(p))) return nullptr;
  }
}

// Past the escape at p, with rapidjson's rules: a high surrogate must be followed by an escaped
// low one; a low surrogate alone is let through.
const char* Scanner::escape_end(const char* p) {
  if (kEscapeLetters.find(p[1]) != std::string_view::npos) return p + 2;  // p[1]: at worst a NUL
  if (p[1] != 'u') return fail(p, "an invalid escape");
  unsigned code = 0, low = 0;
  if (!hex4(p + 2, &code)) return fail(p, "an invalid \\u escape");
  if (code < 0xD800 || code > 0xDBFF) return p + 6;
  if (p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, &low) || low < 0xDC00 || low > 0xDFFF) {
    return fail(p, "an invalid surrogate pair");
  }
  return p + 12;
}

// Four hex digits at p; read one by one, so never past the NUL.
bool Scanner::hex4(const char* p, unsigned* out) const {
  unsigned value = 0;
  for (int k = 0; k < 4; ++k) {
    const int digit = hex_value(p[k]);
    if (digit < 0) return false;
    value = value * 16 + static_cast<unsigned>(digit);
  }
  *out = value;
  return true;
}

// The number at p. A short integer is read here; anything else (a fraction, an exponent, more
// digits, something malformed) is read by rapidjson, which decides what it is worth and where it
// ends, exactly as in the document.
Number Scanner::number(const char* p) {
  const char* q = p;
  const bool negative = *q == '-';
  if (negative) ++q;
  const char* digits = q;
  uint64_t integer = 0;  // exact up to 18 digits; past them it wraps, and rapidjson reads it
  if (*q == '0') {       // a leading zero is the whole integer part
    ++q;
  } else {
    for (unsigned digit; (digit = static_cast<unsigned char>(*q) - unsigned{'0'}) <= 9; ++q) {
      integer = integer * 10 + digit;
    }
  }
  const bool more = *q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9');
  if (q == digits || q - digits > 18 || more) return long_number(p);
  // As rapidjson: -0 is the integer 0, and an integer converts to the nearest double.
  const auto signed_value = static_cast<int64_t>(integer);
  return {q, static_cast<double>(negative ? -signed_value : signed_value)};
}

Number Scanner::long_number(const char* p) {
  if (*p != '-' && (*p < '0' || *p > '9')) return {fail(p, "an invalid value"), 0};
  rapidjson::StringStream stream(p);
  rapidjson::Reader reader;
  NumberReader number;
  rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, number);
  if (!result) return {fail(p + result.Offset(), "an invalid number"), 0};
  return {p + stream.Tell(), number.value};
}

uint32_t Scanner::decode(const char* begin, const char* end) {
  const auto at = static_cast<uint32_t>(decoded_.size());
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
  for (const char* p = begin; p < end;) {
    if (*p != '\\') {
      decoded_.push_back(*p++);
      continue;
    }
    const char e = p[1];
    p += 2;
    if (e != 'u') {
      decoded_.push_back(kEscapedBytes[kEscapeLetters.find(e)]);
      continue;
    }
    unsigned code = 0, low = 0;
    hex4(p, &code);
    p += 4;
    if (code >= 0xD800 && code <= 0xDBFF) {
      hex4(p + 2, &low);
      p += 6;
      code = (((code - 0xD800) << 10) | (low - 0xDC00)) + 0x10000;
    }
    encode(code);
  }
  return at;
}

// Enters the container at the current position, recorded in entry unless that is nullptr; false
// past the depth bound.
bool Scanner::open(bool object, Entry* entry) {
  if (depth_ >= max_depth_) return false;  // as the document's handler: ++depth > max_depth
  kinds_.push(++depth_, object);
  if (depth_ < std::size(owner_)) {
    owner_[depth_] = entry ? static_cast<uint32_t>(entry - entries_.data()) : kNone;
  }
  if (!entry) return true;
  entry->type = object ? Type::object : Type::array;
  if (object && open_ < levels_) {  // its parent is indexed, as it has an entry
    entry->members_indexed = true;
    entry->first = kNone;  // until a member comes (an object indexed late had kIndexLater)
    open_ = depth_;
    object_ = entry;
    link_ = &entry->first;
  } else if (object && whole_ && open_ < JsonIndex::kLevels) {
    entry->first = JsonIndex::kIndexLater;  // indexed on a lookup's first visit
  }
  return true;
}

// Leaves the innermost container, whose closing bracket is at p; whether the one around it (if
// any) is an object.
bool Scanner::close(const char* p) {
  if (depth_ < std::size(owner_) && owner_[depth_] != kNone) {
    entries_[owner_[depth_]].end = offset(p + 1);
  }
  if (depth_ == open_) {  // back to the indexed object around it, whose last member it is
    link_ = &object_->next;
    object_ = &entries_[owner_[--open_]];
  }
  kinds_.pop(depth_--);
  return depth_ > 0 && kinds_.object(depth_);
}

}  // namespace

JsonScan scan_json(const std::string& text, unsigned max_depth,
                   std::vector<JsonIndex::Entry>& entries, std::string& decoded) {
  Scanner scanner(text, max_depth, entries, decoded);
  JsonScan result;
  result.ok = scanner.run();
  result.plain_names = scanner.plain_names();
  result.error_at = scanner.error_at();
  result.error = scanner.error();
  return result;
}

JsonScan scan_json_object(std::string_view text, unsigned max_depth, uint32_t object,
                          std::vector<JsonIndex::Entry>& entries, std::string& decoded) {
  Scanner scanner(text, max_depth, entries, decoded);
  JsonScan result;
  result.ok = scanner.run_object(object);
  result.plain_names = scanner.plain_names();
  return result;
}

}  // namespace sluice::runtime
