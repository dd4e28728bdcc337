// BlockCache: the last block freed on a thread serves the next object of the same type made there;
// anything else (a second object alive at once, another size, another thread) goes to the
// allocator.

#include "core/runtime/block_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace sluice::runtime {
namespace {

class Thing : private BlockCache<Thing> {
 public:
  using BlockCache<Thing>::operator new;
  using BlockCache<Thing>::operator delete;
  virtual ~Thing() = default;
  int value[64] = {};
};

class BiggerThing : public Thing {
 public:
  int more[64] = {};
};

TEST(BlockCache, TheLastFreedBlockServesTheNextObject) {
  auto first = std::make_unique<Thing>();
  first->value[0] = 7;
  const void* block = first.get();
  first.reset();
  auto second = std::make_unique<Thing>();
  EXPECT_EQ(second.get(), block);
  EXPECT_EQ(second->value[0], 0);  // constructed afresh
  // A second object alive at once gets a block of its own.
  auto third = std::make_unique<Thing>();
  EXPECT_NE(third.get(), block);
  const void* third_block = third.get();
  // Only one block is kept: the first freed.
  third.reset();
  second.reset();
  auto fourth = std::make_unique<Thing>();
  EXPECT_EQ(fourth.get(), third_block);
}

TEST(BlockCache, ObjectsOfAnotherSizeUseTheAllocator) {
  auto thing = std::make_unique<Thing>();
  const void* kept = thing.get();
  thing.reset();  // kept for the next Thing
  std::unique_ptr<Thing> bigger = std::make_unique<BiggerThing>();
  EXPECT_NE(bigger.get(), kept);
  bigger.reset();  // back to the allocator through the base's operator delete
  auto again = std::make_unique<Thing>();
  EXPECT_EQ(again.get(), kept);
}

TEST(BlockCache, ABlockKeptOnOneThreadIsNotUsedOnAnother) {
  auto thing = std::make_unique<Thing>();
  const void* kept = thing.get();
  thing.reset();
  const void* elsewhere = nullptr;
  std::thread([&] {
    auto other = std::make_unique<Thing>();
    elsewhere = other.get();
  }).join();  // its block is kept by that thread and freed as it ends
  EXPECT_NE(elsewhere, kept);
  auto here = std::make_unique<Thing>();
  EXPECT_EQ(here.get(), kept);
}

}  // namespace
}  // namespace sluice::runtime
