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
#include <cstring>
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
  // Inline (below): every metadata read of every filter comes here.
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

  static uint64_t load8(const char* bytes) {
    uint64_t word;
    std::memcpy(&word, bytes, sizeof(word));
    return word;
  }
  static uint32_t hash(std::string_view key);
  static bool same_bytes(const char* a, const char* b, size_t n);
  // The table position holding key (hash h), or the empty one where it would go.
  size_t position(std::string_view key, uint32_t h) const;
  // Doubles the entries' room and rebuilds the table (beyond the inline 16 keys).
  void grow();
  // Arena bytes: from the current block, or (allocate_block) from a new one.
  char* allocate(size_t bytes) {
    if (bytes > left_) return allocate_block(bytes);
    char* out = cursor_;
    cursor_ += bytes;
    left_ -= bytes;
    return out;
  }
  char* allocate_block(size_t bytes);

  // Entries in the order they were first set; table_ holds entry number + 1 (0 = empty) for a
  // key at the position its hash's top bits give or, on a collision, at the next free one after
  // it. The table is twice the entries' room, so it is at most half full and a probe ends soon.
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

// Of the key's length and its first and last eight bytes (a key shorter than eight bytes is taken
// whole). Multiplying spreads every input bit into the top bits, which index the table.
inline uint32_t MetaStore::hash(std::string_view key) {
  const size_t n = key.size();
  uint64_t head = 0;
  uint64_t tail = 0;
  if (n >= 8) {
    head = load8(key.data());
    tail = load8(key.data() + n - 8);
  } else {
    for (size_t i = 0; i < n; ++i) head = head << 8 | static_cast<uint8_t>(key[i]);
  }
  const uint64_t mixed = (head + n) * 0x9E3779B97F4A7C15ULL ^ tail * 0xC2B2AE3D27D4EB4FULL;
  return static_cast<uint32_t>(mixed >> 32);
}

// memcmp(a, b, n) == 0 for keys, eight bytes at a time, without a library call: a key that
// reaches this is almost always the one looked for, and most keys are 8 to 24 bytes.
inline bool MetaStore::same_bytes(const char* a, const char* b, size_t n) {
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (load8(a + i) != load8(b + i)) return false;
  }
  return load8(a + n - 8) == load8(b + n - 8);
}

inline size_t MetaStore::position(std::string_view key, uint32_t h) const {
  const size_t mask = 2 * size_t{room_} - 1;
  for (size_t at = h >> shift_;; at = (at + 1) & mask) {
    const uint16_t slot = table_[at];
    if (slot == 0) return at;
    const Entry& e = entries_[slot - 1];
    if (e.hash == h && e.key_size == key.size() && same_bytes(e.key, key.data(), key.size())) {
      return at;
    }
  }
}

inline std::optional<std::string_view> MetaStore::get(std::string_view key) const {
  const uint16_t slot = table_[position(key, hash(key))];
  if (slot == 0) return std::nullopt;
  const Entry& entry = entries_[slot - 1];
  return std::string_view(entry.value, entry.value_size);
}

}  // namespace sluice::runtime
