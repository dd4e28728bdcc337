// MetaStore: the hashed entries and their arena.

#include "core/runtime/meta_store.h"

#include <algorithm>
#include <cstring>

namespace sluice::runtime {
namespace {

uint64_t load8(const char* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, sizeof(word));
  return word;
}

// Of the key's length and its first and last eight bytes (a key shorter than eight bytes is
// taken whole). Multiplying spreads every input bit into the top bits, which index the table.
uint32_t hash_key(std::string_view key) {
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
bool same_bytes(const char* a, const char* b, size_t n) {
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

}  // namespace

size_t MetaStore::position(std::string_view key, uint32_t h) const {
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

void MetaStore::grow() {
  const uint32_t room = room_ * 2;
  auto entries = std::make_unique<Entry[]>(room);
  std::copy(entries_, entries_ + size_, entries.get());
  auto table = std::make_unique<uint16_t[]>(2 * size_t{room});  // zeroed: every position empty
  heap_entries_ = std::move(entries);
  heap_table_ = std::move(table);
  entries_ = heap_entries_.get();
  table_ = heap_table_.get();
  room_ = room;
  shift_ -= 1;
  const size_t mask = 2 * size_t{room_} - 1;
  for (uint32_t i = 0; i < size_; ++i) {
    size_t at = entries_[i].hash >> shift_;
    while (table_[at] != 0) at = (at + 1) & mask;
    table_[at] = static_cast<uint16_t>(i + 1);
  }
}

char* MetaStore::allocate(size_t bytes) {
  if (bytes <= left_) {
    char* out = cursor_;
    cursor_ += bytes;
    left_ -= bytes;
    return out;
  }
  // A large request gets a block of its own; the current block keeps serving small ones.
  size_t block = std::max(bytes, kBlockBytes);
  if (heap_bytes_ + block > kMaxArenaBytes) return nullptr;
  heap_bytes_ += block;
  blocks_.push_back(std::make_unique<char[]>(block));
  char* out = blocks_.back().get();
  if (block > bytes && block - bytes > left_) {
    cursor_ = out + bytes;
    left_ = block - bytes;
  }
  return out;
}

bool MetaStore::set(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > kMaxKeyBytes || value.size() > kMaxValueBytes) return false;
  const uint32_t h = hash_key(key);
  size_t at = position(key, h);
  if (table_[at] != 0) {
    Entry& entry = entries_[table_[at] - 1];
    if (value.size() <= entry.capacity) {
      if (!value.empty()) std::memcpy(entry.value, value.data(), value.size());
      entry.value_size = static_cast<uint32_t>(value.size());
      return true;
    }
    // A value that outgrew its bytes gets twice its size, so one that keeps growing moves rarely.
    const size_t capacity =
        std::min(std::max(value.size(), entry.capacity * size_t{2}), kMaxValueBytes);
    char* bytes = allocate(capacity);
    if (!bytes) return false;
    std::memcpy(bytes, value.data(), value.size());
    entry.value = bytes;
    entry.value_size = static_cast<uint32_t>(value.size());
    entry.capacity = static_cast<uint32_t>(capacity);
    return true;
  }
  if (size_ >= kMaxEntries) return false;
  // The value, then the key: one piece of the arena.
  char* bytes = allocate(value.size() + key.size());
  if (!bytes) return false;
  if (size_ == room_) {
    grow();
    at = position(key, h);
  }
  if (!value.empty()) std::memcpy(bytes, value.data(), value.size());
  std::memcpy(bytes + value.size(), key.data(), key.size());
  entries_[size_] = Entry{bytes + value.size(),
                          bytes,
                          static_cast<uint32_t>(key.size()),
                          static_cast<uint32_t>(value.size()),
                          static_cast<uint32_t>(value.size()),
                          h};
  table_[at] = static_cast<uint16_t>(++size_);
  return true;
}

std::optional<std::string_view> MetaStore::get(std::string_view key) const {
  const uint16_t slot = table_[position(key, hash_key(key))];
  if (slot == 0) return std::nullopt;
  const Entry& entry = entries_[slot - 1];
  return std::string_view(entry.value, entry.value_size);
}

}  // namespace sluice::runtime
