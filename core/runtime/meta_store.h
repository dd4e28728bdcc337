#pragma once
// MetaStore: one request's filter-set metadata (key -> text), kept in bytes the store owns.
// A request sets about a dozen short keys and reads each a few times (the log filter alone reads
// nineteen), so a lookup must cost a few dozen instructions, not a walk over every key: each
// key's hash (of its length and its first and last eight bytes, which is where keys sharing a
// prefix such as "route." or "usage." differ) indexes a small open-addressed table of entry
// numbers. The first 16 entries, their table and the first arena block live inside the store, so
// the common request allocates nothing. A value handed out stays valid, unchanged, until its key
// is set again; a key that is set again is overwritten in place when the new value fits, else
// moved to fresh arena bytes. Bounded: kMaxEntries keys, kMaxKeyBytes and kMaxValueBytes each,
// kMaxArenaBytes in all. Not thread-safe; one per request.

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
  size_t size() const { return size_; }

 private:
  struct Entry {
    const char* key;
    char* value;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t capacity;  // bytes reserved for the value
    uint32_t hash;
  };
  static constexpr size_t kInlineEntries = 16;

  // The table position holding key (hash h), or the empty one where it would go.
  size_t position(std::string_view key, uint32_t h) const;
  // Doubles the entries' room and rebuilds the table (beyond the inline 16 keys).
  void grow();
  char* allocate(size_t bytes);

  // Entries in the order they were first set; table_ holds entry number + 1 (0 = empty) for a
  // key at hash & (table size - 1) or, on a collision, at the next free position after it. The
  // table is twice the entries' room, so it is at most half full and a probe ends soon.
  Entry inline_entries_[kInlineEntries];
  uint16_t inline_table_[2 * kInlineEntries] = {};
  Entry* entries_ = inline_entries_;
  uint16_t* table_ = inline_table_;
  uint32_t size_ = 0;
  uint32_t room_ = kInlineEntries;
  uint32_t shift_ = 27;  // a hash's top bits index the table: 32 - log2(2 * room_)
  std::unique_ptr<Entry[]> heap_entries_;
  std::unique_ptr<uint16_t[]> heap_table_;

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
