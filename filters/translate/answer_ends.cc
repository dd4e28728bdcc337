// translate: an answer's model and usage read at its ends (see answer_ends.h).

#include "filters/translate/answer_ends.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::filters::translate {
namespace {

// The bytes a literal's (number's, true's, false's, null's) bytes run up to.
constexpr std::array<bool, 256> kEndsLiteral = [] {
  std::array<bool, 256> ends{};
  for (unsigned char c : {',', '}', ']', ' ', '\t', '\r', '\n'}) ends[c] = true;
  return ends;
}();

constexpr bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A walk over JSON text by raw pointers, each step checking only what the reads below rely on.
// Every step answers false (or nullptr) on text it cannot walk; none reads outside [at, end).
struct Cursor {
  const char* at;
  const char* end;

  bool more() const { return at < end; }
  void skip_space() {
    while (at < end && is_json_space(*at)) ++at;
  }
  // skip_space() for the common case first: most answers have no whitespace between tokens.
  void skip_any_space() {
    if (at<end&& static_cast<unsigned char>(*at)> ' ') return;
    skip_space();
  }
  // The byte `c` next (after whitespace), stepped over.
  bool take(char c) {
    if (!next_is(c)) return false;
    ++at;
    return true;
  }
  bool next_is(char c) {
    skip_any_space();
    return at < end && *at == c;
  }

  // At an opening quote: steps past the string; *escaped tells whether it held a backslash.
  // Its own scan rather than support::next_json_special, which also stops at control bytes and
  // costs about 60 instructions more a string here (900 an answer, measured).
  bool string(bool* escaped) {
    const char* p = at + 1;
    bool backslash = false;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, slash))));
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += std::countr_zero(mask);
      if (*p == '"') {
        at = p + 1;
        *escaped = backslash;
        return true;
      }
      backslash = true;
      p += 2;  // the backslash and the byte it escapes
    }
#endif
    while (p < end) {
      if (*p == '"') {
        at = p + 1;
        *escaped = backslash;
        return true;
      }
      if (*p == '\\') {
        backslash = true;
        ++p;
      }
      ++p;
    }
    return false;
  }

  // At '{' or '[': steps past the value, brackets counted outside strings (which kind closes
  // which is not checked: only where the value ends matters).
  bool nested() {
    size_t depth = 0;
    bool escaped = false;
#if defined(__SSE2__)
    // To the next quote or bracket sixteen bytes at a time: the bytes between them (colons,
    // commas, numbers) are most of what is not a string, a byte-at-a-time walk's cost.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i case_bit = _mm_set1_epi8(0x20);  // '[' | 0x20 is '{', ']' | 0x20 is '}'
    const __m128i opening = _mm_set1_epi8('{');
    const __m128i closing = _mm_set1_epi8('}');
    while (end - at >= 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      const __m128i folded = _mm_or_si128(bytes, case_bit);
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
          _mm_cmpeq_epi8(bytes, quote),
          _mm_or_si128(_mm_cmpeq_epi8(folded, opening), _mm_cmpeq_epi8(folded, closing)))));
      if (mask == 0) {
        at += 16;
        continue;
      }
      at += std::countr_zero(mask);
      if (*at == '"') {
        if (!string(&escaped)) return false;
        continue;
      }
      if (*at == '{' || *at == '[') {
        ++depth;
      } else if (--depth == 0) {
        ++at;
        return true;
      }
      ++at;
    }
#endif
    while (at < end) {
      switch (*at) {
        case '"':
          if (!string(&escaped)) return false;
          continue;
        case '{':
        case '[':
          ++depth;
          break;
        case '}':
        case ']':
          if (--depth == 0) {
            ++at;
            return true;
          }
          break;
        default:
          break;
      }
      ++at;
    }
    return false;
  }

  // At a literal (number, true, false, null): its bytes, up to the next delimiter.
  std::string_view literal() {
    const char* start = at;
    while (at < end && !kEndsLiteral[static_cast<unsigned char>(*at)]) ++at;
    return std::string_view(start, static_cast<size_t>(at - start));
  }

  // Any value, stepped past; its text in *value. Inlined at its ten calls an answer: GCC kept
  // it out of line, and the calls cost some 70 instructions an answer.
  [[gnu::always_inline]] bool value(std::string_view* value) {
    skip_any_space();
    if (at == end) return false;
    const char* start = at;
    bool escaped = false;
    bool ok = true;
    if (*at == '"') {
      ok = string(&escaped);
    } else if (*at == '{' || *at == '[') {
      ok = nested();
    } else if (*at == '}' || *at == ']' || *at == ',' || *at == ':') {
      ok = false;
    } else {
      ok = !literal().empty();
    }
    *value = std::string_view(start, static_cast<size_t>(at - start));
    return ok;
  }

  // A member's key and the colon after it: false when the text is not one here. *key is the
  // text between the quotes.
  bool key(std::string_view* key, bool* escaped) {
    if (!next_is('"')) return false;
    const char* start = at + 1;
    if (!string(escaped)) return false;
    *key = std::string_view(start, static_cast<size_t>(at - 1 - start));
    return take(':');
  }

  // After a member: ',' (true, *closed false) or the object's '}' (true, *closed true).
  bool after_member(bool* closed) {
    skip_any_space();
    if (at == end) return false;
    *closed = *at == '}';
    if (*at != ',' && *at != '}') return false;
    ++at;
    return true;
  }

  // Only whitespace left.
  bool at_end() {
    skip_space();
    return at == end;
  }
};

// The value of a JSON number that is a count as usage gives them: digits only, at most 15 (exact
// in a double); anything else is not a count.
std::optional<double> count_value(std::string_view literal) {
  if (literal.empty() || literal.size() > 15 || (literal[0] == '0' && literal.size() > 1)) {
    return std::nullopt;
  }
  uint64_t count = 0;
  for (char c : literal) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + static_cast<uint64_t>(c - '0');
  }
  return static_cast<double>(count);
}

constexpr std::string_view kUsageKey = "\"usage\"";

// Where the last `"usage"` in the text starts, or npos: found from its closing quote, going back
// sixteen bytes at a time and stopping only at a quote after an 'e' (string_view::rfind compares
// at every position).
size_t last_usage_key(std::string_view text) {
  constexpr size_t kLength = kUsageKey.size();
  size_t end = text.size();
#if defined(__SSE2__)
  // The block's bytes and the bytes one before them: a bit for each '"' right after an 'e'.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i e = _mm_set1_epi8('e');
  for (; end >= 17; end -= 16) {
    const char* block = text.data() + end - 16;
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block - 1));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(before, e))));
    while (mask != 0) {
      const int bit = 31 - std::countl_zero(mask);
      const size_t close = end - 16 + static_cast<size_t>(bit);
      if (close + 1 >= kLength &&
          std::memcmp(text.data() + close + 1 - kLength, kUsageKey.data(), kLength) == 0) {
        return close + 1 - kLength;
      }
      mask &= ~(1u << bit);
    }
  }
#endif
  while (end > 0) {
    --end;
    if (end + 1 >= kLength &&
        std::memcmp(text.data() + end + 1 - kLength, kUsageKey.data(), kLength) == 0) {
      return end + 1 - kLength;
    }
  }
  return std::string_view::npos;
}

// The usage object the cursor is at (its '{'): its token counts, the cursor stepped past it.
// False when they cannot be read for certain: a count's key given twice or written with escapes,
// or a count that is a number but not a plain one (the JSON view reads those).
bool read_usage(Cursor& cursor, Usage* usage) {
  constexpr std::string_view kNames[3] = {"prompt_tokens", "completion_tokens", "total_tokens"};
  std::optional<double> counts[3];
  bool seen[3] = {false, false, false};
  if (!cursor.take('{')) return false;
  if (cursor.next_is('}')) {
    ++cursor.at;
    return true;
  }
  for (bool closed = false; !closed;) {
    std::string_view key, value;
    bool escaped = false;
    if (!cursor.key(&key, &escaped) || escaped || !cursor.value(&value)) return false;
    // The three names differ in length: one compare of bytes at most.
    const size_t i = key.size() == kNames[0].size()   ? 0
                     : key.size() == kNames[1].size() ? 1
                     : key.size() == kNames[2].size() ? 2
                                                      : 3;
    if (i < 3 && key == kNames[i]) {
      if (seen[i]) return false;
      seen[i] = true;
      counts[i] = count_value(value);
      if (!counts[i] && !value.empty() &&
          (value[0] == '-' || (value[0] >= '0' && value[0] <= '9'))) {
        return false;  // a number this read does not take (a fraction, an exponent)
      }
    }
    if (!cursor.after_member(&closed)) return false;
  }
  read_usage_numbers(counts[0], counts[1], counts[2], usage);
  return true;
}

enum class Tail { no_usage, usage, unsure };

// The root's last member when it is "usage" with an object value: its counts read into *usage.
// `from` is where the unread middle starts. The last "usage" in the text is the only candidate:
// a key's quotes are never escaped and no string holds an unescaped quote, so a "usage" key
// after `from` always shows as those seven bytes. It is the root's when the members after its
// object end the root.
Tail find_usage(std::string_view text, size_t from, Usage* usage) {
  const size_t key = last_usage_key(text);
  if (key == std::string_view::npos || key < from) return Tail::no_usage;
  // A key follows a comma (the first member is read with the head). This also tells a quote
  // escaped inside a string, which follows a backslash.
  size_t before = key;
  while (before > 0 && is_json_space(text[before - 1])) --before;
  if (before == 0 || text[before - 1] != ',') return Tail::unsure;
  Cursor cursor{text.data() + key + kUsageKey.size(), text.data() + text.size()};
  if (!cursor.take(':')) return Tail::unsure;
  // OpenAI sends "usage":null on every chunk but the last when the client asked for usage.
  std::string_view value;
  const bool no_usage = !cursor.next_is('{');
  if (no_usage ? !cursor.value(&value) || value != "null" : !read_usage(cursor, usage)) {
    return Tail::unsure;
  }
  // Whatever follows must be members of the same object and then the root's end.
  for (bool closed = false; !closed;) {
    if (!cursor.after_member(&closed)) return Tail::unsure;
    if (closed) break;
    std::string_view name;
    bool escaped = false;
    if (!cursor.key(&name, &escaped) || escaped || name == "model" || !cursor.value(&value)) {
      return Tail::unsure;
    }
  }
  if (!cursor.at_end()) return Tail::unsure;
  return no_usage ? Tail::no_usage : Tail::usage;
}

enum class Head { read, whole, unsure };

constexpr size_t kMaxKeptHead = 1024;

// The leading members, up to the first nested value (Head::read: *middle is where its member
// starts, *nested_end just past its opening bracket), or all of them (Head::whole: the object
// ends after them).
Head read_head(std::string_view text, std::string_view* model_value, size_t* middle,
               size_t* nested_end) {
  Cursor cursor{text.data(), text.data() + text.size()};
  if (!cursor.take('{')) return Head::unsure;
  bool have_model = false;
  bool closed = cursor.next_is('}');
  if (closed) ++cursor.at;
  while (!closed) {
    const char* member = cursor.at;
    std::string_view key, value;
    bool escaped = false;
    if (!cursor.key(&key, &escaped) || escaped || key == "usage") return Head::unsure;
    cursor.skip_any_space();
    if (cursor.more() && (*cursor.at == '{' || *cursor.at == '[')) {
      // The model may come after the choices: the JSON view finds it there.
      if (!have_model) return Head::unsure;
      *middle = static_cast<size_t>(member - text.data());
      *nested_end = static_cast<size_t>(cursor.at + 1 - text.data());
      return Head::read;
    }
    if (!cursor.value(&value)) return Head::unsure;
    if (key == "model") {
      if (have_model) return Head::unsure;
      have_model = true;
      *model_value = value;
    }
    if (!cursor.after_member(&closed)) return Head::unsure;
  }
  return have_model && cursor.at_end() ? Head::whole : Head::unsure;
}

}  // namespace

AnswerEnds read_answer_ends(std::string_view text, std::string_view model, Usage* usage,
                            TextRange* model_at, AnswerHead* head) {
  std::string_view model_value;
  size_t middle = std::string_view::npos;  // where the unread part starts, if there is one
  if (head && !head->bytes.empty() && text.starts_with(head->bytes)) {
    // What read_head reads is all in these bytes, so it would read the same again.
    middle = head->middle;
    model_value = text.substr(head->model.offset, head->model.length);
  } else {
    size_t nested_end = 0;
    switch (read_head(text, &model_value, &middle, &nested_end)) {
      case Head::unsure:
        return AnswerEnds::needs_json_view;
      case Head::whole:  // nothing unread: no middle
        break;
      case Head::read:
        // Kept when short, as leading members are (some 150 bytes): a head of kilobytes is not
        // copied for every event.
        if (head && nested_end <= kMaxKeptHead) {
          head->bytes.assign(text.substr(0, nested_end));
          head->middle = middle;
          head->model = {static_cast<size_t>(model_value.data() - text.data()), model_value.size()};
        }
        break;
    }
  }

  Usage read;
  if (middle != std::string_view::npos && find_usage(text, middle, &read) == Tail::unsure) {
    return AnswerEnds::needs_json_view;
  }
  bool replace = false;
  if (!model.empty() && model_value.front() == '"') {
    const std::string_view current = model_value.substr(1, model_value.size() - 2);
    if (current.find('\\') != std::string_view::npos) return AnswerEnds::needs_json_view;
    replace = current != model;
  }
  if (read.prompt_tokens) usage->prompt_tokens = read.prompt_tokens;
  if (read.completion_tokens) usage->completion_tokens = read.completion_tokens;
  if (read.total_tokens) usage->total_tokens = read.total_tokens;
  if (!replace) return AnswerEnds::unchanged;
  *model_at = {static_cast<size_t>(model_value.data() - text.data()), model_value.size()};
  return AnswerEnds::rename_model;
}

}  // namespace sluice::filters::translate
