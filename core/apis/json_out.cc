// JsonOut's writing: strings scanned a block at a time for the few bytes JSON escapes, and
// numbers through rapidjson's own conversions, so the text matches its Writer's exactly.

#include "core/apis/json_out.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/itoa.h>

#include "providers/support/json_scan.h"

namespace sluice::apis {
namespace {

constexpr size_t kFirstCapacity = 256;

// Copies `count` bytes, short runs (most keys and values) without a call to memcpy.
void copy_bytes(char* to, const char* from, size_t count) {
  if (count >= 16) {
    std::memcpy(to, from, count);
  } else if (count >= 8) {  // two overlapping words
    uint64_t head, tail;
    std::memcpy(&head, from, 8);
    std::memcpy(&tail, from + count - 8, 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + count - 8, &tail, 8);
  } else if (count >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, from, 4);
    std::memcpy(&tail, from + count - 4, 4);
    std::memcpy(to, &head, 4);
    std::memcpy(to + count - 4, &tail, 4);
  } else {
    for (size_t i = 0; i < count; ++i) to[i] = from[i];
  }
}

}  // namespace

void JsonOut::grow(size_t bytes) {
  // Past what the caller reserved, doubling.
  const size_t used = size();
  target_->resize(
      std::max({used + bytes, target_->size() * 2, target_->capacity(), kFirstCapacity}));
  take_buffer(used);
}

bool JsonOut::literal(const char* text, size_t length) {
  char* at = separate(room(length + 1));
  std::memcpy(at, text, length);
  pos_ = at + length;
  need_comma_ = true;
  return true;
}

bool JsonOut::open(char bracket) {
  char* at = separate(room(2));
  *at = bracket;
  pos_ = at + 1;
  need_comma_ = false;
  return true;
}

bool JsonOut::close(char bracket) {
  *room(1) = bracket;
  ++pos_;
  need_comma_ = true;
  return true;
}

bool JsonOut::Int(int i) {
  char* at = separate(room(1 + 11));
  pos_ = rapidjson::internal::i32toa(i, at);
  need_comma_ = true;
  return true;
}

bool JsonOut::Uint(unsigned u) {
  char* at = separate(room(1 + 10));
  pos_ = rapidjson::internal::u32toa(u, at);
  need_comma_ = true;
  return true;
}

bool JsonOut::Int64(int64_t i) {
  char* at = separate(room(1 + 20));
  pos_ = rapidjson::internal::i64toa(i, at);
  need_comma_ = true;
  return true;
}

bool JsonOut::Uint64(uint64_t u) {
  char* at = separate(room(1 + 20));
  pos_ = rapidjson::internal::u64toa(u, at);
  need_comma_ = true;
  return true;
}

bool JsonOut::Double(double d) {
  if (!std::isfinite(d)) return false;
  char* at = separate(room(1 + 25));  // rapidjson's own bound for dtoa
  pos_ = rapidjson::internal::dtoa(d, at);
  need_comma_ = true;
  return true;
}

void JsonOut::quoted(const char* text, size_t length, bool key) {
  // ',' '"' text '"' ':' -- enough unless something needs escaping.
  char* at = separate(room(length + 4));
  *at++ = '"';
  size_t done = 0;
  while (true) {
    const size_t next = providers::support::next_json_special(text, done, length);
    copy_bytes(at, text + done, next - done);
    at += next - done;
    if (next == length) break;
    pos_ = at;
    at = room(6 + (length - next) + 2);  // this escape, the rest, '"' and ':'
    at += providers::support::write_json_escape(static_cast<unsigned char>(text[next]), at);
    done = next + 1;
  }
  *at++ = '"';
  if (key) *at++ = ':';
  pos_ = at;
  need_comma_ = !key;
}

}  // namespace sluice::apis
