// ABI 1.7 through a real plugin (plugin_v1_7.c): body_splice replaces one range of a body in
// place, refuses a range outside it without changing anything, takes bytes that are a view of
// the body itself, and leaves the JSON view to be read again. And the C++ SDK's splice_body,
// which makes one body_splice on a 1.7 host and one body_replace of the spliced body on a 1.6
// host. Part of runtime_tests.

#include <gtest/gtest.h>

#include <sluice/filter.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <string>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::runtime::testing {
namespace {

class Abi17Test : public RuntimeTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(use(
        config_yaml({chain("splice", "{path_prefix: /}",
                           {fmt::format("      - {{name: s, type: abi17.splice, library: {}}}\n",
                                        bin_path("libsluice_abi_v1_7.so"))})})));
  }
};

constexpr std::string_view kRefused = "past-end=0\nlong=0\nhuge=0\nresponse=0\nunchanged=yes\n";

TEST_F(Abi17Test, ARangeIsReplacedInPlaceAndTheJsonReadAgain) {
  const std::string body = R"({"model":"m1","n":2})";
  const std::string renamed = R"({"model":"renamed-model","n":2})";
  send("POST", "/v1/chat/completions", body);
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(sink_.body, std::string(kRefused) +
                            "model-splice=1\nmodel=renamed-model\nn=2\nbody=" + renamed +
                            "\nself-splice=1\nbody=" + renamed.substr(0, renamed.size() - 1) +
                            renamed + "}\nmodel-after=<absent>\n");
}

TEST_F(Abi17Test, ABodyThatIsNotJsonIsSplicedAsBytes) {
  send("POST", "/v1/chat/completions", R"(x "m1" y)", {{"content-type", "text/plain"}});
  ASSERT_EQ(sink_.head.status, 200) << sink_.body;
  EXPECT_EQ(sink_.body,
            std::string(kRefused) +
                "model-splice=1\nmodel=<absent>\nn=<absent>\nbody=x \"renamed-model\" y\n"
                "self-splice=1\nbody=x \"renamed-model\" x \"renamed-model\" yy\n"
                "model-after=<absent>\n");
}

// ---- the C++ SDK on this host and on a 1.6 host ----------------------------------------------

// A host table over one body. `minor` 6 gives the 1.6 table: it ends before body_splice.
struct BodyHost {
  static inline BodyHost* current = nullptr;
  std::string body;
  int splice_calls = 0, replace_calls = 0;
  sluice_host_api api{};

  explicit BodyHost(uint32_t minor) {
    current = this;
    api.struct_size = minor >= 7 ? sizeof(sluice_host_api) : offsetof(sluice_host_api, body_splice);
    api.abi_major = 1;
    api.abi_minor = minor;
    api.body_get = [](sluice_stream*, sluice_part, sluice_str* out) -> int {
      *out = sluice_str{current->body.data(), current->body.size()};
      return 1;
    };
    api.body_replace = [](sluice_stream*, sluice_part, sluice_str data) -> int {
      ++current->replace_calls;
      current->body.assign(data.ptr, data.len);
      return 1;
    };
    // Set on every table: a 1.6 table's struct_size alone must keep the SDK from calling it.
    api.body_splice = [](sluice_stream*, sluice_part, size_t offset, size_t length,
                         sluice_str data) -> int {
      ++current->splice_calls;
      if (offset > current->body.size() || length > current->body.size() - offset) return 0;
      current->body.replace(offset, length, data.ptr, data.len);
      return 1;
    };
  }
  ~BodyHost() { current = nullptr; }
};

void expect_splice(uint32_t minor, int splice_calls, int replace_calls) {
  BodyHost host(minor);
  host.body = R"({"model":"m1","n":2})";
  sluice::Stream stream(&host.api, nullptr, nullptr);
  EXPECT_TRUE(stream.splice_body(sluice::Part::response, 9, 4, R"("gpt-4o")"));
  EXPECT_EQ(host.body, R"({"model":"gpt-4o","n":2})");
  EXPECT_FALSE(stream.splice_body(sluice::Part::response, 20, 10, "x"));
  EXPECT_EQ(host.body, R"({"model":"gpt-4o","n":2})");
  EXPECT_EQ(host.splice_calls, splice_calls);
  EXPECT_EQ(host.replace_calls, replace_calls);
}

TEST(Abi17Sdk, OneBodySpliceOnA1_7Host) {
  expect_splice(7, 2, 0);  // the refused range is the host's to refuse
}

TEST(Abi17Sdk, OneBodyReplaceOfTheSplicedBodyOnA1_6Host) {
  expect_splice(6, 0, 1);  // the refused range never reaches the host
}

}  // namespace
}  // namespace sluice::runtime::testing
