#pragma once
// Shared pieces of the Gemini adapter tests: the deployments the golden cases run against, the
// fixed response context, golden file access and JSON normalisation.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "providers/common/adapter.h"

namespace sluice::providers::gemini::testing {

inline constexpr std::string_view kApiKey = "AIzaSyTEST-not-a-real-key-0123456789";

inline Deployment gemini_deployment() {
  Deployment deployment;
  deployment.name = "my-gemini#0";
  deployment.provider_type = "gemini";
  deployment.model = "gemini-2.0-flash";
  deployment.api_key = std::string(kApiKey);
  return deployment;
}

inline Deployment vertex_deployment(std::string location = "us-central1") {
  Deployment deployment;
  deployment.name = "my-vertex#0";
  deployment.provider_type = "vertex_ai";
  deployment.model = "gemini-2.0-flash";
  deployment.settings = {{"vertex_project", "my-project"}, {"vertex_location", location}};
  return deployment;
}

inline ResponseContext test_context() {
  ResponseContext context;
  context.client_model = "my-model";
  context.response_id = "chatcmpl-fallback";
  context.created = 1700000000;
  return context;
}

inline std::string golden_dir() {
  return std::string(SLUICE_SOURCE_DIR) + "/test/providers/gemini/golden";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// JSON text in one canonical formatting (compact, members in their written order); "" when
// `text` is not JSON, so a broken file never compares equal to anything valid.
inline std::string normalise_json(std::string_view text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (document.HasParseError()) return "";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A Failure as JSON, the form golden files expect it in.
inline std::string failure_json(const Failure& failure) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("failure");
  writer.StartObject();
  writer.Key("status");
  writer.Int(failure.status);
  writer.Key("type");
  writer.String(failure.type.c_str());
  writer.Key("code");
  writer.String(failure.code.c_str());
  writer.Key("param");
  writer.String(failure.param.c_str());
  writer.Key("message");
  writer.String(failure.message.c_str());
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::providers::gemini::testing
