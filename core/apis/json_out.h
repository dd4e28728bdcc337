#pragma once
// The writer the inbound codecs build their JSON with: compact JSON appended straight into a
// std::string, byte for byte what rapidjson's Writer writes (the same escapes, the same number
// forms), without the Writer's level stack, its worst-case reserve of six bytes per string byte
// and the copy out of its StringBuffer. It is a rapidjson handler (hence the method names), so a
// parsed value is copied with value.Accept(out).
//
// It trusts its caller: the calls must make well-formed JSON (a key before each member value,
// ends matching starts), and strings must be valid UTF-8, as the codecs' parsed input is.
// Not thread-safe; one writer per output.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <rapidjson/rapidjson.h>

namespace sluice::apis {

class JsonOut {
 public:
  // Writes after the current end of *target. While the writer works, *target holds spare bytes
  // past the text; finish() (or the destructor) cuts it to the text.
  explicit JsonOut(std::string* target) : target_(target) { take_buffer(target->size()); }
  ~JsonOut() {
    if (target_) finish();
  }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  // Cuts *target to the text written; writing may go on afterwards.
  void finish() {
    const size_t used = size();
    target_->resize(used);
    take_buffer(used);
  }
  // finish(), then *target's text moved out to the caller: the writer is done with it (and its
  // destructor leaves the emptied *target alone).
  std::string take() {
    finish();
    std::string text = std::move(*target_);
    target_ = nullptr;
    return text;
  }
  // Forgets all of *target's text (its bytes stay, to be written over) and starts a new text.
  void restart() {
    pos_ = begin_;
    need_comma_ = false;
  }
  // All of *target's text so far, valid until the next write.
  std::string_view text() const { return {begin_, size()}; }

  bool Null() { return literal("null", 4); }
  bool Bool(bool b) { return b ? literal("true", 4) : literal("false", 5); }
  bool Int(int i);
  bool Uint(unsigned u);
  bool Int64(int64_t i);
  bool Uint64(uint64_t u);
  // False, writing nothing, for NaN and infinities (which JSON cannot carry).
  bool Double(double d);
  bool String(const char* text, rapidjson::SizeType length, bool /*copy*/ = false) {
    quoted(text, length, false);
    return true;
  }
  bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/ = false) {
    quoted(text, length, true);
    return true;
  }
  // A key, or a string value, known to need no escaping (see PlainKey).
  void plain_key(std::string_view key) { plain(key, true); }
  void plain_string(std::string_view text) { plain(text, false); }
  bool StartObject() { return open('{'); }
  bool EndObject(rapidjson::SizeType = 0) { return close('}'); }
  bool StartArray() { return open('['); }
  bool EndArray(rapidjson::SizeType = 0) { return close(']'); }

 private:
  size_t size() const { return static_cast<size_t>(pos_ - begin_); }
  // Points begin_/pos_/end_ into *target, `used` bytes of it being text.
  void take_buffer(size_t used) {
    begin_ = target_->data();
    pos_ = begin_ + used;
    end_ = begin_ + target_->size();
  }
  // Room for `bytes` more bytes at pos_, which it returns. The writes go through a local
  // pointer and set pos_ once at the end: a char store may alias any member, so the compiler
  // would reload them after each.
  char* room(size_t bytes) {
    if (static_cast<size_t>(end_ - pos_) < bytes) grow(bytes);
    return pos_;
  }
  void grow(size_t bytes);
  // A ',' at `at` when a value came before at this level; returns where to go on.
  char* separate(char* at) const {
    if (need_comma_) *at++ = ',';
    return at;
  }
  bool literal(const char* text, size_t length);
  bool open(char bracket);
  bool close(char bracket);
  // A string (a key when `key`, then followed by ':'), escaped as rapidjson does.
  void quoted(const char* text, size_t length, bool key);
  void plain(std::string_view text, bool key) {
    char* at = separate(room(text.size() + 4));
    *at++ = '"';
    std::memcpy(at, text.data(), text.size());
    at += text.size();
    *at++ = '"';
    if (key) *at++ = ':';
    pos_ = at;
    need_comma_ = !key;
  }

  std::string* target_;
  char* begin_ = nullptr;    // target_->data()
  char* pos_ = nullptr;      // the end of the text
  char* end_ = nullptr;      // the end of *target (its spare bytes included)
  bool need_comma_ = false;  // a value was completed at this level: the next one needs a ','
};

// A key or value a codec names itself: a string literal, checked when compiled to need no
// escaping, so that it is written without looking at it again.
class PlainKey {
 public:
  template <size_t N>
  consteval PlainKey(const char (&text)[N])  // NOLINT(google-explicit-constructor)
      : text_(text, N - 1) {
    for (const char c : text_) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
        throw "a key that needs escaping";  // refused at compile time
      }
    }
  }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

inline void write_key(JsonOut& out, PlainKey key) {
  out.plain_key(key.text());
}
inline void write_literal(JsonOut& out, PlainKey text) {
  out.plain_string(text.text());
}
// A key known only when running, escaped when it needs it.
inline void write_key_text(JsonOut& out, std::string_view key) {
  out.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
inline void write_string(JsonOut& out, std::string_view text) {
  out.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

}  // namespace sluice::apis
