#pragma once
// A strict parser for the one JSON shape the process log writes: a flat object whose values are
// strings, numbers, booleans or null. Strict means RFC 8259: no raw control characters in
// strings, only the defined escapes, well-formed UTF-8, nothing after the closing brace.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::testing {

struct JsonValue {
  enum class Type { string, number, boolean, null } type = Type::null;
  std::string text;  // decoded string, or the number's literal text
  bool boolean = false;
};

using FlatObject = std::vector<std::pair<std::string, JsonValue>>;

class FlatJsonParser {
 public:
  explicit FlatJsonParser(std::string_view in) : in_(in) {}

  std::optional<FlatObject> parse() {
    FlatObject object;
    if (!eat('{')) return std::nullopt;
    if (!eat('}')) {
      do {
        std::string key;
        if (!string(&key) || !eat(':')) return std::nullopt;
        JsonValue value;
        if (!this->value(&value)) return std::nullopt;
        object.emplace_back(std::move(key), std::move(value));
      } while (eat(','));
      if (!eat('}')) return std::nullopt;
    }
    if (pos_ != in_.size()) return std::nullopt;
    return object;
  }

 private:
  bool eat(char c) {
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue* out) {
    if (pos_ >= in_.size()) return false;
    const char c = in_[pos_];
    if (c == '"') {
      out->type = JsonValue::Type::string;
      return string(&out->text);
    }
    if (literal("true")) {
      out->type = JsonValue::Type::boolean;
      out->boolean = true;
      return true;
    }
    if (literal("false")) {
      out->type = JsonValue::Type::boolean;
      return true;
    }
    if (literal("null")) {
      out->type = JsonValue::Type::null;
      return true;
    }
    out->type = JsonValue::Type::number;
    return number(&out->text);
  }

  // number = [ minus ] int [ frac ] [ exp ]
  bool number(std::string* out) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    eat('-');
    if (eat('0')) {
      // no leading zeros
    } else if (digits() == 0) {
      return false;
    }
    if (eat('.') && digits() == 0) return false;
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (digits() == 0) return false;
    }
    *out = std::string(in_.substr(start, pos_ - start));
    return true;
  }

  static void append_utf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool hex4(uint32_t* out) {
    if (pos_ + 4 > in_.size()) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }

  // Decodes one well-formed UTF-8 sequence (strict, as Unicode Table 3-7).
  bool utf8(std::string* out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in_.data());
    const unsigned char b0 = p[pos_];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (pos_ + len > in_.size()) return false;
    for (size_t i = 1; i < len; ++i) {
      const unsigned char b = p[pos_ + i];
      const unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
      if (b < l || b > h) return false;
    }
    out->append(in_.data() + pos_, len);
    pos_ += len;
    return true;
  }

  bool string(std::string* out) {
    if (!eat('"')) return false;
    while (pos_ < in_.size()) {
      const auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // raw control characters are not allowed
      if (c >= 0x80) {
        if (!utf8(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= in_.size()) return false;
      const char e = in_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (!literal("\\u") || !hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

inline std::optional<FlatObject> parse_flat_json(std::string_view line) {
  return FlatJsonParser(line).parse();
}

}  // namespace sluice::testing
