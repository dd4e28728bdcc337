// ABI 1.6 through a real plugin (plugin_v1_6.c): json_get_many gives each pointer's value as
// json_get does, absent ones as {NULL, 0}, and writes every slot even when refused. And the C++
// SDK's json_many, which makes one json_get_many on a 1.6 host and one json_get a pointer on a
// 1.5 host. Part of runtime_tests.

#include <gtest/gtest.h>

#include <sluice/filter.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <map>
#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

class Abi16Test : public RuntimeTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        use(config_yaml({chain("json", "{path_prefix: /}",
                               {fmt::format("      - {{name: j, type: abi16.json, library: {}}}\n",
                                            bin_path("libsluice_abi_v1_6.so"))})})));
  }
};

// What the fixture reports after its refused and empty calls, whatever the body.
constexpr std::string_view kRefusedCalls =
    "null-pointers=0,all absent\nnull-out=0\ncount-0=0,untouched\nresponse=0,all absent\n";

TEST_F(Abi16Test, EachPointerAsJsonGetGivesIt) {
  const std::string body =
      R"({"model":"m1","n":2,"messages":[{"role":"user","content":"hi \"there\""}]})";
  send("POST", "/v1/chat/completions", body);
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(sink_.body,
            "found=4\n/model=\"m1\"\n/n=2\n/messages/0/content=\"hi \\\"there\\\"\"\n"
            "/absent=<absent>\n/messages/9=<absent>\n=" +
                body + "\n" + std::string(kRefusedCalls));
}

TEST_F(Abi16Test, ABodyThatIsNotJsonHasNothingToGive) {
  send("POST", "/v1/chat/completions", "model=m1", {{"content-type", "text/plain"}});
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(sink_.body,
            "found=0\n/model=<absent>\n/n=<absent>\n/messages/0/content=<absent>\n"
            "/absent=<absent>\n/messages/9=<absent>\n=<absent>\n" +
                std::string(kRefusedCalls));
}

// ---- the C++ SDK on this host and on a 1.5 host ----------------------------------------------

// A host table over one JSON-ish map of pointer -> text. `minor` 5 gives the 1.5 table: it ends
// before json_get_many.
struct JsonHost {
  static inline JsonHost* current = nullptr;
  std::map<std::string, std::string> values;
  int many_calls = 0, get_calls = 0;
  sluice_host_api api{};

  explicit JsonHost(uint32_t minor) {
    current = this;
    api.struct_size =
        minor >= 6 ? sizeof(sluice_host_api) : offsetof(sluice_host_api, json_get_many);
    api.abi_major = 1;
    api.abi_minor = minor;
    api.json_get = [](sluice_stream*, sluice_part, sluice_str pointer, sluice_str* out) -> int {
      ++current->get_calls;
      return lookup(pointer, out);
    };
    // Set on every table: a 1.5 table's struct_size alone must keep the SDK from calling it.
    api.json_get_many = [](sluice_stream*, sluice_part, const sluice_str* pointers, size_t count,
                           sluice_str* out) -> size_t {
      ++current->many_calls;
      size_t found = 0;
      for (size_t i = 0; i < count; ++i) {
        out[i] = sluice_str{nullptr, 0};
        found += lookup(pointers[i], &out[i]);
      }
      return found;
    };
  }
  ~JsonHost() { current = nullptr; }

  static int lookup(sluice_str pointer, sluice_str* out) {
    auto it = current->values.find(std::string(pointer.ptr, pointer.len));
    if (it == current->values.end()) return 0;
    *out = sluice_str{it->second.data(), it->second.size()};
    return 1;
  }
};

void expect_many(uint32_t minor, int many_calls, int get_calls) {
  JsonHost host(minor);
  host.values = {{"/a", "1"}, {"/c", "\"x\""}};
  sluice::Stream stream(&host.api, nullptr, nullptr);
  const sluice_str pointers[] = {SLUICE_LIT("/a"), SLUICE_LIT("/b"), SLUICE_LIT("/c")};
  sluice_str out[3] = {SLUICE_LIT("junk"), SLUICE_LIT("junk"), SLUICE_LIT("junk")};
  EXPECT_EQ(stream.json_many(sluice::Part::request, pointers, 3, out), 2u);
  EXPECT_EQ(std::string_view(out[0].ptr, out[0].len), "1");
  EXPECT_EQ(out[1].ptr, nullptr);
  EXPECT_EQ(out[1].len, 0u);
  EXPECT_EQ(std::string_view(out[2].ptr, out[2].len), "\"x\"");
  EXPECT_EQ(host.many_calls, many_calls);
  EXPECT_EQ(host.get_calls, get_calls);
}

TEST(Abi16Sdk, OneCallOnA1_6Host) {
  expect_many(6, 1, 0);
}

TEST(Abi16Sdk, OneJsonGetAPointerOnA1_5Host) {
  expect_many(5, 0, 3);
}

}  // namespace
}  // namespace sluice::runtime::testing
