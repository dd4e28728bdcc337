// MetaStore: the list and its arena.

#include "core/runtime/meta_store.h"

#include <algorithm>
#include <cstring>

namespace sluice::runtime {

size_t MetaStore::find(std::string_view key) const {
  if (key.empty()) return entries_.size();
  // Keys share prefixes ("route.", "usage."): the length and the last byte rule out most.
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.key_size == key.size() && e.key[key.size() - 1] == key.back() &&
        std::memcmp(e.key, key.data(), key.size()) == 0) {
      return i;
    }
  }
  return entries_.size();
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
  const size_t at = find(key);
  Entry* entry = at < entries_.size() ? &entries_[at] : nullptr;
  if (entry && value.size() <= entry->capacity) {
    if (!value.empty()) std::memcpy(entry->value, value.data(), value.size());
    entry->value_size = static_cast<uint32_t>(value.size());
    return true;
  }
  if (!entry && entries_.size() >= kMaxEntries) return false;
  // A value that outgrew its bytes gets twice its size, so one that keeps growing moves rarely.
  size_t capacity =
      entry ? std::min(std::max(value.size(), entry->capacity * size_t{2}), kMaxValueBytes)
            : value.size();
  char* bytes = allocate(capacity + (entry ? 0 : key.size()));
  if (!bytes) return false;
  if (!entry) {
    if (entries_.empty()) entries_.reserve(16);
    std::memcpy(bytes + capacity, key.data(), key.size());
    entries_.push_back({bytes + capacity, bytes, static_cast<uint32_t>(key.size()), 0, 0});
    entry = &entries_.back();
  }
  if (!value.empty()) std::memcpy(bytes, value.data(), value.size());
  entry->value = bytes;
  entry->value_size = static_cast<uint32_t>(value.size());
  entry->capacity = static_cast<uint32_t>(capacity);
  return true;
}

std::optional<std::string_view> MetaStore::get(std::string_view key) const {
  const size_t at = find(key);
  if (at == entries_.size()) return std::nullopt;
  return std::string_view(entries_[at].value, entries_[at].value_size);
}

}  // namespace sluice::runtime
