// The quick reader: a recursive descent over a NUL-terminated text (the terminator stops every
// scan), strings scanned a block at a time.

#include "providers/support/common_json_reader.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include <rapidjson/reader.h>

#include "providers/support/json_scan.h"

namespace sluice::providers::support {
namespace {

class Reader {
 public:
  Reader(char* text, size_t length, unsigned max_depth, rapidjson::Document& document,
         bool full_precision)
      : text_(text),
        at_(text),
        end_(text + length),
        max_depth_(max_depth),
        full_precision_(full_precision),
        document_(document) {}

  bool read(size_t* end) {
    skip_space();
    if (!value()) return false;
    *end = static_cast<size_t>(at_ - text_);
    return true;
  }

 private:
  // Most tokens follow one another without space: one comparison tells.
  void skip_space() {
    while (static_cast<unsigned char>(*at_) <= ' ' &&
           (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) {
      ++at_;
    }
  }

  bool value() {
    switch (*at_) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string(false);
      case 't':
        return word("true", 4) && document_.Bool(true);
      case 'f':
        return word("false", 5) && document_.Bool(false);
      case 'n':
        return word("null", 4) && document_.Null();
      default:
        return number();
    }
  }

  // Steps over `text` when the input has it here; the NUL at the end stops the comparison.
  bool word(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
      if (at_[i] != text[i]) return false;
    }
    at_ += length;
    return true;
  }

  bool object() {
    if (++depth_ > max_depth_) return false;
    ++at_;
    document_.StartObject();
    skip_space();
    rapidjson::SizeType members = 0;
    if (*at_ != '}') {
      while (true) {
        if (*at_ != '"' || !string(true)) return false;
        skip_space();
        if (*at_ != ':') return false;
        ++at_;
        skip_space();
        if (!value()) return false;
        ++members;
        skip_space();
        if (*at_ != ',') break;
        ++at_;
        skip_space();
      }
      if (*at_ != '}') return false;
    }
    ++at_;
    document_.EndObject(members);
    --depth_;
    return true;
  }

  bool array() {
    if (++depth_ > max_depth_) return false;
    ++at_;
    document_.StartArray();
    skip_space();
    rapidjson::SizeType elements = 0;
    if (*at_ != ']') {
      while (true) {
        if (!value()) return false;
        ++elements;
        skip_space();
        if (*at_ != ',') break;
        ++at_;
        skip_space();
      }
      if (*at_ != ']') return false;
    }
    ++at_;
    document_.EndArray(elements);
    --depth_;
    return true;
  }

  // The first byte at or after `from` that is a quote, a backslash or a control byte (the
  // terminating NUL is one).
  char* next_special(char* from) const {
    const auto offset = static_cast<size_t>(from - text_);
    return text_ + next_json_special(text_, offset, static_cast<size_t>(end_ - text_));
  }

  bool string(bool key) {
    char* const start = ++at_;
    char* out = next_special(start);  // unescaped text is written here, in place
    at_ = out;
    while (*at_ == '\\') {
      char unescaped;
      switch (at_[1]) {
        case '"':
        case '\\':
        case '/':
          unescaped = at_[1];
          break;
        case 'b':
          unescaped = '\b';
          break;
        case 'f':
          unescaped = '\f';
          break;
        case 'n':
          unescaped = '\n';
          break;
        case 'r':
          unescaped = '\r';
          break;
        case 't':
          unescaped = '\t';
          break;
        default:
          return false;  // \u and bad escapes: rapidjson's
      }
      *out++ = unescaped;
      at_ += 2;
      char* next = next_special(at_);
      const size_t run = static_cast<size_t>(next - at_);
      std::memmove(out, at_, run);
      out += run;
      at_ += run;
    }
    if (*at_ != '"') return false;  // a control byte or the end of the text
    ++at_;
    const size_t length = static_cast<size_t>(out - start);
    if (length > std::numeric_limits<rapidjson::SizeType>::max()) return false;
    *out = '\0';  // as rapidjson leaves an in-place string
    const auto size = static_cast<rapidjson::SizeType>(length);
    return key ? document_.Key(start, size, false) : document_.String(start, size, false);
  }

  bool number() {
    const char* start = at_;
    const bool minus = *at_ == '-';
    if (minus) ++at_;
    uint64_t magnitude = 0;
    int digits = 0;
    if (*at_ == '0') {
      ++at_;
      digits = 1;
    } else {
      while (*at_ >= '0' && *at_ <= '9' && digits <= 18) {
        magnitude = magnitude * 10 + static_cast<uint64_t>(*at_ - '0');
        ++at_;
        ++digits;
      }
    }
    if (digits == 0) return false;
    if (digits > 18 || *at_ == '.' || *at_ == 'e' || *at_ == 'E' || (*at_ >= '0' && *at_ <= '9')) {
      return rapidjson_number(start);
    }
    // rapidjson's type for the value: the document's flags depend on the value alone.
    return minus ? document_.Int64(-static_cast<int64_t>(magnitude)) : document_.Uint64(magnitude);
  }

  // Fractions, exponents and long numbers, through rapidjson's own number parser.
  bool rapidjson_number(const char* start) {
    rapidjson::StringStream stream(start);
    rapidjson::Reader reader;
    constexpr unsigned kFlags = rapidjson::kParseStopWhenDoneFlag;
    const bool failed =
        full_precision_
            ? reader.Parse<kFlags | rapidjson::kParseFullPrecisionFlag>(stream, document_).IsError()
            : reader.Parse<kFlags>(stream, document_).IsError();
    if (failed) return false;
    at_ = const_cast<char*>(start) + stream.Tell();
    return true;
  }

  char* const text_;
  char* at_;
  const char* const end_;  // the terminating NUL
  const unsigned max_depth_;
  const bool full_precision_;
  unsigned depth_ = 0;
  rapidjson::Document& document_;
};

}  // namespace

bool read_common_json(char* text, size_t length, unsigned max_depth, rapidjson::Document& document,
                      size_t* end, bool full_precision) {
  return Reader(text, length, max_depth, document, full_precision).read(end);
}

}  // namespace sluice::providers::support
