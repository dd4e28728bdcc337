// MetaStore: values, overwrites, the bounds, and views that stay put while the store grows.

#include "core/runtime/meta_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace sluice::runtime {
namespace {

TEST(MetaStore, SetThenGetAndAbsentKeys) {
  MetaStore store;
  EXPECT_FALSE(store.get("route.model"));
  ASSERT_TRUE(store.set("route.model", "gpt-4o"));
  ASSERT_TRUE(store.set("route.modelx", ""));
  EXPECT_EQ(store.get("route.model"), "gpt-4o");
  EXPECT_EQ(store.get("route.modelx"), "");  // present and empty, not absent
  EXPECT_FALSE(store.get("route.mode"));
  EXPECT_FALSE(store.get("route.model "));
  EXPECT_EQ(store.size(), 2u);
}

TEST(MetaStore, OverwriteKeepsOneEntryAndTheLatestValue) {
  MetaStore store;
  ASSERT_TRUE(store.set("k", "a long first value"));
  ASSERT_TRUE(store.set("k", "short"));  // fits: in place
  EXPECT_EQ(store.get("k"), "short");
  std::string longer(5000, 'x');
  ASSERT_TRUE(store.set("k", longer));  // does not fit: new bytes
  EXPECT_EQ(store.get("k"), longer);
  EXPECT_EQ(store.size(), 1u);
}

TEST(MetaStore, ViewsOfOtherKeysStayValidWhileTheStoreGrows) {
  MetaStore store;
  ASSERT_TRUE(store.set("first", "stays"));
  std::string_view first = *store.get("first");
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store.set("key." + std::to_string(i), std::string(100 + i, 'v')));
  }
  EXPECT_EQ(first, "stays");  // neither the list nor the arena moved its bytes
  EXPECT_EQ(store.get("key.199"), std::string(299, 'v'));
}

TEST(MetaStore, RefusesEmptyAndOversizedKeysAndValuesAndTooManyKeys) {
  MetaStore store;
  EXPECT_FALSE(store.set("", "v"));
  EXPECT_FALSE(store.set(std::string(MetaStore::kMaxKeyBytes + 1, 'k'), "v"));
  EXPECT_TRUE(store.set(std::string(MetaStore::kMaxKeyBytes, 'k'), "v"));
  EXPECT_FALSE(store.set("big", std::string(MetaStore::kMaxValueBytes + 1, 'v')));
  EXPECT_FALSE(store.get("big"));
  EXPECT_TRUE(store.set("big", std::string(MetaStore::kMaxValueBytes, 'v')));
  while (store.size() < MetaStore::kMaxEntries) {
    ASSERT_TRUE(store.set("n" + std::to_string(store.size()), "v"));
  }
  EXPECT_FALSE(store.set("one.more", "v"));
  EXPECT_TRUE(store.set("n10", "an existing key may still change"));
  EXPECT_EQ(store.get("n10"), "an existing key may still change");
}

TEST(MetaStore, TheArenaIsBoundedEvenWhenOneValueKeepsGrowing) {
  MetaStore store;
  // Each growth doubles the room, so a value that grows a byte at a time moves rarely and the
  // arena stays within its bound; once the bound is reached new bytes are refused.
  for (size_t size = 1; size <= MetaStore::kMaxValueBytes; size += 997) {
    ASSERT_TRUE(store.set("growing", std::string(size, 'g')));
  }
  std::string_view growing = *store.get("growing");
  // Full-size values under new keys: the arena's bound refuses one before the key count does.
  size_t stored = 0;
  while (store.set("big." + std::to_string(stored), std::string(MetaStore::kMaxValueBytes, 'b'))) {
    ++stored;
    ASSERT_LT(stored, MetaStore::kMaxEntries);
  }
  EXPECT_GE(stored * MetaStore::kMaxValueBytes, MetaStore::kMaxArenaBytes - 2 * 65536 * 4);
  EXPECT_LT(store.size(), MetaStore::kMaxEntries);
  EXPECT_FALSE(store.get("big." + std::to_string(stored)));  // refused whole
  EXPECT_EQ(growing, std::string(growing.size(), 'g'));      // earlier values untouched
  EXPECT_TRUE(store.set("big.0", "in place still works"));
  EXPECT_EQ(store.get("big.0"), "in place still works");
}

// The index hashes a key's length and its first and last eight bytes: keys that differ only in
// between hash alike and must still be told apart, before and after the table grows.
TEST(MetaStore, KeysThatDifferOnlyInTheMiddleAreToldApart) {
  MetaStore store;
  auto key = [](int i) { return "route.x" + std::to_string(1000 + i) + "x.provider"; };
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store.set(key(i), "v" + std::to_string(i))) << i;
    for (int j = 0; j <= i; ++j) ASSERT_EQ(store.get(key(j)), "v" + std::to_string(j)) << i << j;
    EXPECT_FALSE(store.get(key(i + 1)));
  }
  EXPECT_EQ(store.size(), 100u);
  // Short keys (under eight bytes) are hashed whole.
  ASSERT_TRUE(store.set("a", "1"));
  ASSERT_TRUE(store.set("b", "2"));
  ASSERT_TRUE(store.set("ab", "3"));
  EXPECT_EQ(store.get("a"), "1");
  EXPECT_EQ(store.get("b"), "2");
  EXPECT_EQ(store.get("ab"), "3");
  EXPECT_FALSE(store.get("ba"));
  EXPECT_FALSE(store.get(""));
}

TEST(MetaStore, AgreesWithAMapOverRandomOperations) {
  std::mt19937 rng(7);
  MetaStore store;
  std::map<std::string, std::string> model;
  for (int op = 0; op < 20000; ++op) {
    std::string key = "k" + std::to_string(rng() % 40);
    if (rng() % 3 == 0) {
      auto got = store.get(key);
      auto want = model.find(key);
      ASSERT_EQ(got.has_value(), want != model.end()) << key;
      if (got) {
        ASSERT_EQ(*got, want->second) << key;
      }
    } else {
      std::string value(rng() % 300, static_cast<char>('a' + rng() % 26));
      ASSERT_TRUE(store.set(key, value));
      model[key] = value;
    }
  }
  EXPECT_EQ(store.size(), model.size());
}

}  // namespace
}  // namespace sluice::runtime
