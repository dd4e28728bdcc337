#pragma once
// Header-only JSON text helpers shared by the built-in filters (compiled into each plugin): string
// escaping that never emits invalid JSON (bad UTF-8 becomes U+FFFD), and the OpenAI error object
// {"error":{"message","type","param","code"}} for errors a filter builds itself (send_error is
// used where the host can build it). Pure functions, safe from any thread.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::filters::common {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is not one.
inline size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  size_t length = 0;
  uint8_t min_second = 0x80;
  uint8_t max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// The bytes a JSON string holds as they are: printable ASCII but '"' and '\\'.
inline constexpr bool is_plain_json_byte(uint8_t c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

// Whether none of the 8 bytes of `word` needs escaping. May answer false for a word that needs
// none (a borrow or carry spills into the next byte), never true for one that does: only the
// byte-by-byte check decides that a byte is escaped.
inline bool plain_json_word(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero_byte = [](uint64_t w) { return (w - kOnes) & ~w & kHighs; };
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
  const uint64_t at_least_del = ((word + kOnes) | word) & kHighs;  // 0x7F and above
  return (below_space | at_least_del | has_zero_byte(word ^ (kOnes * '"')) |
          has_zero_byte(word ^ (kOnes * '\\'))) == 0;
}

#if defined(__SSE2__)
// Whether none of the 16 bytes of `block` needs escaping (exactly: is_plain_json_byte of each).
inline bool plain_json_block(__m128i block) {
  // A signed comparison: below ' ' are the control bytes and, as negatives, 0x80 and above.
  const __m128i outside = _mm_cmplt_epi8(block, _mm_set1_epi8(0x20));
  const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(block, _mm_set1_epi8('\\'))),
                                       _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)));
  return _mm_movemask_epi8(_mm_or_si128(outside, special)) == 0;
}
#endif

// Whether no byte of `text` needs escaping (most text: names, ids, paths), told 16 bytes at a time
// where SSE2 is there (8 otherwise): the last block overlaps the one before it, and a shorter text
// is read in overlapping halves padded with plain bytes, never past its end. Without SSE2, like
// plain_json_word, it may answer false for a text that needs none.
inline bool plain_json_text(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  const auto load = [](const char* at, auto word) {
    std::memcpy(&word, at, sizeof word);
    return word;
  };
#if defined(__SSE2__)
  const auto block = [](const char* at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  };
  if (n >= 16) {
    for (size_t i = 0; i + 16 < n; i += 16) {
      if (!plain_json_block(block(p + i))) return false;
    }
    return plain_json_block(block(p + n - 16));
  }
  if (n >= 8) {
    return plain_json_block(_mm_set_epi64x(static_cast<int64_t>(load(p + n - 8, uint64_t{})),
                                           static_cast<int64_t>(load(p, uint64_t{}))));
  }
#else
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (!plain_json_word(load(p + i, uint64_t{}))) return false;
    }
    return plain_json_word(load(p + n - 8, uint64_t{}));
  }
#endif
  uint64_t word = 0x6161616161616161ULL;  // 'a's
  if (n >= 4) {
    word = load(p, uint32_t{}) | uint64_t{load(p + n - 4, uint32_t{})} << 32;
  } else if (n > 0) {
    const auto byte = [p](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])}; };
    word = (word & ~uint64_t{0xFFFFFF}) | byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
  }
#if defined(__SSE2__)
  return plain_json_block(_mm_set1_epi64x(static_cast<int64_t>(word)));
#else
  return plain_json_word(word);
#endif
}

// The most bytes write_json_string writes for a text of `size` bytes: a byte escaped as \u00XX
// is six, a stray UTF-8 byte becomes three, and the two quotes.
inline constexpr size_t json_string_bound(size_t size) {
  return 6 * size + 2;
}

// Writes `text` escaped, without quotes, at `at` and returns the end: runs of plain bytes are
// found 8 bytes at a time and copied at once, the rest is escaped byte by byte.
inline char* write_json_escaped(char* at, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto put = [&at](std::string_view piece) {
    std::memcpy(at, piece.data(), piece.size());
    at += piece.size();
  };
  for (size_t i = 0; i < text.size();) {
    size_t run = i;
    for (uint64_t word; run + 8 <= text.size(); run += 8) {
      std::memcpy(&word, text.data() + run, 8);
      if (!plain_json_word(word)) break;
    }
    while (run < text.size() && is_plain_json_byte(static_cast<uint8_t>(text[run]))) ++run;
    if (run > i) {
      put(text.substr(i, run - i));
      i = run;
      continue;
    }
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        put("\xEF\xBF\xBD");
        ++i;
      } else {
        put(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        put("\\\"");
        break;
      case '\\':
        put("\\\\");
        break;
      case '\n':
        put("\\n");
        break;
      case '\r':
        put("\\r");
        break;
      case '\t':
        put("\\t");
        break;
      default:  // the other control characters and DEL
        put("\\u00");
        *at++ = kHex[c >> 4];
        *at++ = kHex[c & 0xF];
    }
    ++i;
  }
  return at;
}

// Writes `text` as a JSON string literal, quotes included, at `at` (room for
// json_string_bound(text.size()) bytes) and returns the end. Text that needs no escaping (most)
// is copied whole.
inline char* write_json_string(char* at, std::string_view text) {
  *at++ = '"';
  if (plain_json_text(text)) {
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  } else {
    at = write_json_escaped(at, text);
  }
  *at++ = '"';
  return at;
}

// Appends `text` as a JSON string literal, quotes included (write_json_string's bytes).
inline void append_json_string(std::string& out, std::string_view text) {
  const size_t start = out.size();
  if (plain_json_text(text)) {  // the quotes and the text in one growth of out
    out.append(text.size() + 2, '"');
    std::memcpy(out.data() + start + 1, text.data(), text.size());
    return;
  }
  out.resize(start + json_string_bound(text.size()));
  char* at = out.data() + start;
  *at++ = '"';
  at = write_json_escaped(at, text);
  *at++ = '"';
  out.resize(static_cast<size_t>(at - out.data()));
}

inline std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

// OpenAI's error type for an HTTP status.
inline std::string_view openai_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

// {"error":{"message":...,"type":...,"param":...,"code":...}} with the type given; `param` and
// `code` null when empty.
inline std::string openai_error_body(std::string_view message, std::string_view type,
                                     std::string_view param, std::string_view code) {
  std::string out = "{\"error\":{\"message\":";
  append_json_string(out, message);
  out += ",\"type\":";
  append_json_string(out, type);
  for (auto [name, value] : {std::pair{",\"param\":", param}, std::pair{",\"code\":", code}}) {
    out += name;
    if (value.empty()) {
      out += "null";
    } else {
      append_json_string(out, value);
    }
  }
  out += "}}";
  return out;
}

// The same with the type OpenAI gives `status` and param null.
inline std::string openai_error_body(int status, std::string_view message,
                                     std::string_view code = {}) {
  return openai_error_body(message, openai_error_type(status), {}, code);
}

}  // namespace sluice::filters::common
