// Tests for core/observability/request_id: the validation rule's edges and the generator's
// format and uniqueness (within a thread and across threads).

#include "core/observability/request_id.h"

#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(RequestId, AcceptsEveryAllowedCharacterAndLengthsOneTo128) {
  EXPECT_TRUE(is_valid_request_id("a"));
  EXPECT_TRUE(is_valid_request_id("-"));
  EXPECT_TRUE(is_valid_request_id("abcXYZ019._:-"));
  EXPECT_TRUE(is_valid_request_id("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(is_valid_request_id("req:2026-11-21T20:13:57.123_abc"));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'x')));
  const std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
  EXPECT_TRUE(is_valid_request_id(all));
}

TEST(RequestId, RejectsEmptyTooLongAndEveryOtherByte) {
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id(std::string(129, 'x')));
  EXPECT_FALSE(is_valid_request_id(std::string(1000, 'x')));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("slash/"));
  EXPECT_FALSE(is_valid_request_id("new\nline"));
  EXPECT_FALSE(is_valid_request_id("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_request_id(std::string_view("nul\0inside", 10)));
  const std::string allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
  int accepted = 0;
  for (int b = 0; b < 256; ++b) {
    const std::string id(1, static_cast<char>(b));
    const bool expected = allowed.find(static_cast<char>(b)) != std::string::npos;
    EXPECT_EQ(is_valid_request_id(id), expected) << "byte " << b;
    accepted += is_valid_request_id(id) ? 1 : 0;
  }
  EXPECT_EQ(accepted, 66);
  // A single bad byte anywhere, including the last of 128, spoils the id.
  std::string id(128, 'a');
  id.back() = '!';
  EXPECT_FALSE(is_valid_request_id(id));
}

TEST(RequestId, GeneratedIdsAre32LowerCaseHexAndValid) {
  const std::regex hex32("[0-9a-f]{32}");
  for (int i = 0; i < 1000; ++i) {
    const std::string id(new_request_id().view());
    ASSERT_TRUE(std::regex_match(id, hex32)) << id;
    ASSERT_TRUE(is_valid_request_id(id)) << id;
  }
}

TEST(RequestId, GeneratedIdsUseAllHexDigitsInEveryPosition) {
  // 128 random bits: over 2000 ids each of the 32 positions sees all 16 digits (a generator
  // that left half the bits zero, or wrote one 64-bit half twice, would not).
  std::vector<std::set<char>> seen(32);
  std::set<std::string> halves_equal;
  for (int i = 0; i < 2000; ++i) {
    const std::string id(new_request_id().view());
    ASSERT_EQ(id.size(), 32u);
    for (size_t p = 0; p < 32; ++p) seen[p].insert(id[p]);
    if (id.substr(0, 16) == id.substr(16)) halves_equal.insert(id);
  }
  for (size_t p = 0; p < 32; ++p) EXPECT_EQ(seen[p].size(), 16u) << "position " << p;
  EXPECT_TRUE(halves_equal.empty());
}

TEST(RequestId, HoldsTheIdItWasGiven) {
  EXPECT_EQ(RequestId().view(), "");
  EXPECT_EQ(RequestId("req:1").view(), "req:1");
  const std::string longest(RequestId::kMaxLength, 'x');
  const RequestId id(longest);
  EXPECT_EQ(id.view(), longest);
  const RequestId copy = id;
  EXPECT_EQ(std::string_view(copy), longest);
}

TEST(RequestId, GeneratedIdsAreUniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25000;
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      std::vector<std::string> local;
      local.reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) local.emplace_back(new_request_id().view());
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(local.begin(), local.end());
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace sluice
