#pragma once
// BlockCache<T>: class-specific operator new and delete for objects that a worker makes and frees
// once per request (the RequestStream, the native upstream call). The last block of T freed on a
// thread is kept for the next T made there, so a steady stream of requests reuses one block
// instead of asking the allocator for a free and a malloc of a few KB each time. At most one
// block per type and thread is kept; it goes back to the allocator when the thread ends. Under
// AddressSanitizer the kept block is poisoned, so a use of a destroyed object is still reported.
//
// Usage: class T : private BlockCache<T> { public: using BlockCache<T>::operator new;
//                                                  using BlockCache<T>::operator delete; ... };
// Blocks of another size (a class derived from T) go to the allocator as usual.

#include <cstddef>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define SLUICE_BLOCK_CACHE_POISON(block, size) ASAN_POISON_MEMORY_REGION(block, size)
#define SLUICE_BLOCK_CACHE_UNPOISON(block, size) ASAN_UNPOISON_MEMORY_REGION(block, size)
#else
#define SLUICE_BLOCK_CACHE_POISON(block, size) ((void)(block), (void)(size))
#define SLUICE_BLOCK_CACHE_UNPOISON(block, size) ((void)(block), (void)(size))
#endif

namespace sluice::runtime {

template <typename T>
class BlockCache {
 public:
  static void* operator new(std::size_t size) {
    if (size == sizeof(T)) {
      if (void* block = std::exchange(kept_.block, nullptr)) {
        SLUICE_BLOCK_CACHE_UNPOISON(block, size);
        return block;
      }
    }
    return ::operator new(size);
  }

  static void operator delete(void* block, std::size_t size) {
    if (size == sizeof(T) && kept_.block == nullptr) {
      SLUICE_BLOCK_CACHE_POISON(block, size);
      kept_.block = block;
      return;
    }
    ::operator delete(block, size);
  }

 private:
  struct Kept {
    void* block = nullptr;
    ~Kept() {
      if (block == nullptr) return;
      SLUICE_BLOCK_CACHE_UNPOISON(block, sizeof(T));
      ::operator delete(block, sizeof(T));
    }
  };
  static thread_local Kept kept_;
};

template <typename T>
thread_local typename BlockCache<T>::Kept BlockCache<T>::kept_;

}  // namespace sluice::runtime
