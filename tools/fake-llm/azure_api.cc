// Azure OpenAI's checks, headers and error shapes around the OpenAI answers.

#include "tools/fake-llm/azure_api.h"

#include <rapidjson/document.h>

#include "tools/fake-llm/json_out.h"
#include "tools/fake-llm/json_read.h"
#include "tools/fake-llm/openai_responses.h"
#include "tools/fake-llm/routes.h"

namespace fake_llm {
namespace {

constexpr std::string_view kAccessDenied =
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
    "valid key for an active subscription and use a correct regional API endpoint for your "
    "resource.";

// The credential: the api-key header, else a bearer token.
std::string_view azure_credential(const sluice::http::Headers& headers) {
  if (const std::string* key = sluice::http::find_header(headers, "api-key")) return *key;
  if (const std::string* auth = sluice::http::find_header(headers, "authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() > kBearer.size() && auth->compare(0, kBearer.size(), kBearer) == 0) {
      return std::string_view(*auth).substr(kBearer.size());
    }
  }
  return {};
}

}  // namespace

bool azure_authorize(const sluice::http::Request& request, std::string_view expected_key,
                     std::string_view request_id, Plan* plan) {
  std::string version;
  if (!query_param(request.query, "api-version", &version) || version.empty()) {
    azure_error(plan, 404, "404", "Resource not found", request_id);
    return false;
  }
  const std::string_view key = azure_credential(request.headers);
  if (key.empty() || (!expected_key.empty() && key != expected_key)) {
    azure_error(plan, 401, "401", kAccessDenied, request_id);
    return false;
  }
  return true;
}

std::string azure_body_with_model(std::string_view body, std::string_view deployment) {
  rapidjson::Document doc;
  if (!parse_json(body, &doc) || !doc.IsObject() || doc.HasMember("model")) {
    return std::string(body);
  }
  doc.AddMember(
      "model",
      rapidjson::Value(deployment.data(), static_cast<rapidjson::SizeType>(deployment.size()),
                       doc.GetAllocator()),
      doc.GetAllocator());
  return to_json(doc);
}

namespace {

// {"hate":{"filtered":false,"severity":"safe"},…} for Azure's four categories.
void write_filter_results(JsonOut& json) {
  json.begin_object();
  for (const std::string_view category : {"hate", "self_harm", "sexual", "violence"}) {
    json.key(category).begin_object();
    json.key("filtered").boolean(false);
    json.key("severity").string("safe");
    json.end_object();
  }
  json.end_object();
}

std::string prompt_filter_results() {
  std::string out;
  JsonOut json(out);
  json.begin_array().begin_object();
  json.key("prompt_index").integer(0);
  json.key("content_filter_results");
  write_filter_results(json);
  json.end_object().end_array();
  return out;
}

std::string filter_results() {
  std::string out;
  JsonOut json(out);
  write_filter_results(json);
  return out;
}

}  // namespace

void azure_content_filters(Plan* plan) {
  if (plan->segments.empty()) return;
  std::string& first = plan->segments.front().data;
  if (plan->stream) {
    first =
        R"(data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":)" +
        prompt_filter_results() + "}\n\n" + first;
    return;
  }
  rapidjson::Document doc;
  if (!parse_json(first, &doc) || !doc.IsObject()) return;
  auto& allocator = doc.GetAllocator();
  rapidjson::Document prompt(&allocator);
  prompt.Parse(prompt_filter_results().c_str());
  doc.AddMember("prompt_filter_results", rapidjson::Value(prompt, allocator), allocator);
  if (const auto choices = doc.FindMember("choices");
      choices != doc.MemberEnd() && choices->value.IsArray()) {
    const std::string results = filter_results();
    for (rapidjson::Value& choice : choices->value.GetArray()) {
      rapidjson::Document filters(&allocator);
      filters.Parse(results.c_str());
      choice.AddMember("content_filter_results", rapidjson::Value(filters, allocator), allocator);
    }
  }
  first = to_json(doc);
}

void azure_headers(Plan* plan, std::string_view request_id) {
  plan->head.headers.push_back({"apim-request-id", std::string(request_id)});
  plan->head.headers.push_back({"x-ms-region", "East US"});
}

void azure_error(Plan* plan, int status, std::string_view code, std::string_view message,
                 std::string_view request_id) {
  openai_head(plan, status, request_id, false);
  azure_headers(plan, request_id);
  std::string body;
  JsonOut json(body);
  json.begin_object().key("error").begin_object();
  json.key("code").string(code);
  json.key("message").string(message);
  json.end_object().end_object();
  plan->segments.push_back(Segment{std::move(body), 0, false});
}

void azure_status_error(Plan* plan, int status, std::string_view request_id) {
  switch (status) {
    case 401:
      azure_error(plan, status, "401", kAccessDenied, request_id);
      return;
    case 404:
      azure_error(plan, status, "DeploymentNotFound",
                  "The API deployment for this resource does not exist. If you created the "
                  "deployment within the last 5 minutes, please wait a moment and try again.",
                  request_id);
      return;
    case 429:
      azure_error(plan, status, "429",
                  "Requests to the ChatCompletions_Create Operation under Azure OpenAI API "
                  "version have exceeded call rate limit of your current OpenAI S0 pricing tier. "
                  "Please retry after 1 second (fake-llm injected 429).",
                  request_id);
      return;
    default:
      openai_status_error(plan, status, request_id);
      azure_headers(plan, request_id);
      return;
  }
}

}  // namespace fake_llm
