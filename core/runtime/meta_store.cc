// MetaStore: setting keys, growing the table, and the arena (lookups are inline in the header).

#include "core/runtime/meta_store.h"

#include <algorithm>
#include <cstring>

namespace sluice::runtime {

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

char* MetaStore::allocate_block(size_t bytes) {
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
  const uint32_t h = hash(key);
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

}  // namespace sluice::runtime
