// Shared helpers of the built-in filter tests (see filter_test_support.h).

#include "test/filters/filter_test_support.h"

#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <utility>

namespace sluice::filters::testing {

std::string gateway(std::string_view registry, std::string_view filters) {
  std::string out = "listeners:\n  - port: 18080\n";
  out += registry;
  if (!registry.empty() && registry.back() != '\n') out += "\n";
  out += "chains:\n  - name: main\n    match: {path_prefix: /}\n    filters:\n";
  out += filters;
  return out;
}

std::string filter_item(std::string_view type, std::string_view config) {
  return "      - {type: " + std::string(type) + ", config: {" + std::string(config) + "}}\n";
}

FakeResponse chat_answer(std::string_view model, int prompt_tokens, int completion_tokens) {
  FakeResponse r;
  r.status = 200;
  r.headers = {{"content-type", "application/json"}};
  r.body = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":")" +
           std::string(model) +
           R"(","choices":[{"index":0,"message":{"role":"assistant","content":"Echo: hi"},)"
           R"("finish_reason":"stop"}],"usage":{"prompt_tokens":)" +
           std::to_string(prompt_tokens) +
           ",\"completion_tokens\":" + std::to_string(completion_tokens) +
           ",\"total_tokens\":" + std::to_string(prompt_tokens + completion_tokens) + "}}";
  r.delay_ms = 0;
  return r;
}

FakeResponse status_answer(int status, std::string body, std::string content_type) {
  FakeResponse r;
  r.status = status;
  if (!content_type.empty()) r.headers = {{"content-type", std::move(content_type)}};
  r.body = std::move(body);
  r.delay_ms = 0;
  return r;
}

rapidjson::Document parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  return doc;
}

std::string json_at(std::string_view json, const char* pointer) {
  rapidjson::Document doc = parse(json);
  if (doc.HasParseError()) return "<absent>";
  const rapidjson::Value* value = rapidjson::Pointer(pointer).Get(doc);
  if (!value) return "<absent>";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value->Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void FilterTest::reset_client() {
  finish_exchange();
  sink_.done = false;
  sink_.heads = 0;
  sink_.head = {};
  sink_.body.clear();
}

void FilterTest::post(std::string path, std::string body, http::Headers headers) {
  headers.push_back({"content-type", "application/json"});
  send("POST", std::move(path), std::move(body), std::move(headers));
}

const UpstreamRequest& FilterTest::sent(size_t i) const {
  static const UpstreamRequest kNone;
  if (i >= transport_->sent.size()) {
    ADD_FAILURE() << "no upstream request #" << i << " (" << transport_->sent.size() << " sent)";
    return kNone;
  }
  return transport_->sent[i].request;
}

std::string FilterTest::sent_header(size_t i, std::string_view name) const {
  const std::string* value = http::find_header(sent(i).headers, name);
  return value ? *value : "<absent>";
}

}  // namespace sluice::filters::testing
