#pragma once
// What the built-in filter tests share: the runtime test world of test/unit/runtime (real event
// loop, real RequestStream and plugins, fake client sink and fake upstream transport), YAML for
// a gateway with providers, models and a chain of built-in filters, and JSON helpers.

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "test/unit/runtime/runtime_test_support.h"

namespace sluice::filters::testing {

using runtime::UpstreamRequest;
using runtime::testing::FakeResponse;

// A whole config: `registry` (top-level providers: and models: YAML) and one chain "main"
// matching every path whose filter list is `filters` (YAML list items, indented by 6).
std::string gateway(std::string_view registry, std::string_view filters);
// "      - {type: TYPE, config: {CONFIG}}\n"
std::string filter_item(std::string_view type, std::string_view config = "");

// A 200 JSON answer in OpenAI's chat shape, from provider model `model`.
FakeResponse chat_answer(std::string_view model = "provider-model", int prompt_tokens = 3,
                         int completion_tokens = 2);
FakeResponse status_answer(int status, std::string body = "",
                           std::string content_type = "application/json");

// Parses JSON text; the document is an error document (HasParseError) when it is not JSON.
rapidjson::Document parse(std::string_view json);
// The value at `pointer` as compact JSON text, or "<absent>".
std::string json_at(std::string_view json, const char* pointer);

class FilterTest : public runtime::testing::RuntimeTest {
 protected:
  // Forgets the previous exchange and the client's view of it, for the next request.
  void reset_client();
  // A POST with a JSON body and the given extra headers (content-type is added).
  void post(std::string path, std::string body, http::Headers headers = {});
  const UpstreamRequest& sent(size_t i) const;
  std::string sent_header(size_t i, std::string_view name) const;
};

}  // namespace sluice::filters::testing
