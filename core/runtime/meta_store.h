#pragma once
// MetaStore: one request's filter-set metadata (key -> text), kept in bytes the store owns.
// A request sets about a dozen short keys and reads each a few times, so the store is a short
// list searched by length first, over an arena whose first block lives inside the store: the
// common request allocates once (the list). A value handed out stays valid, unchanged, until
// its key is set again; a key that is set again is overwritten in place when the new value fits,
// else moved to fresh arena bytes. Bounded: kMaxEntries keys, kMaxKeyBytes and kMaxValueBytes
// each, kMaxArenaBytes in all. Not thread-safe; one per request.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::runtime {

class MetaStore {
 public:
  static constexpr size_t kMaxEntries = 256;
  static constexpr size_t kMaxKeyBytes = 256;
  static constexpr size_t kMaxValueBytes = 65536;
  static constexpr size_t kMaxArenaBytes = 16 * 1024 * 1024;

  MetaStore() = default;
  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;

  // False (nothing stored) for an empty or oversized key, an oversized value, a new key beyond
  // kMaxEntries, or an arena that would pass kMaxArenaBytes.
  bool set(std::string_view key, std::string_view value);
  std::optional<std::string_view> get(std::string_view key) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    const char* key;
    char* value;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t capacity;  // bytes reserved for the value
  };
  size_t find(std::string_view key) const;  // its index in entries_, or entries_.size()
  char* allocate(size_t bytes);

  std::vector<Entry> entries_;
  // The arena: the inline block first, then heap blocks. Bytes are never moved or reused, so
  // every view stays put; a value that outgrows its bytes gets twice the room, which bounds the
  // arena at a few times the live data.
  static constexpr size_t kInlineBytes = 384;
  static constexpr size_t kBlockBytes = 4096;
  char inline_[kInlineBytes];
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = inline_;
  size_t left_ = kInlineBytes;
  size_t heap_bytes_ = 0;
};

}  // namespace sluice::runtime
