// Golden files for the Bedrock adapter, one input and one expected output per case, compared as
// JSON (formatting and member order aside). The folders under golden/:
//   request/   an OpenAI request body -> {"request": the upstream request} or {"failure": ...};
//              cases named embeddings-* are embeddings requests, the others chat completions;
//              the deployment's model id is the body's "model"
//   response/  a Bedrock answer -> the OpenAI answer or {"failure": ...}
//   stream/    the events of a ConverseStream answer, as [{"event"|"exception": name,
//              "payload": {...}}] -> {"chunks": [...], "failure": null or {...}}; the frames
//              are encoded and fed whole, split at every byte boundary, and a byte at a time
//   error/     {"status": n, "body": text} of a non-2xx answer -> the Failure
// The expected files were written by hand from Bedrock's and OpenAI's API references.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "providers/aws/event_stream.h"
#include "providers/bedrock/adapter.h"

namespace sluice::bedrock {
namespace {

namespace fs = std::filesystem;
using providers::Endpoint;
using providers::Failure;
using rapidjson::Document;
using rapidjson::Value;

const fs::path kGolden = fs::path(SLUICE_SOURCE_DIR) / "test/providers/bedrock/golden";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string pretty(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

std::string compact(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

Document parse(std::string_view text) {
  Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

// The cases of one folder: every <name>.json with a <name>.expected.json beside it.
std::vector<std::string> cases(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kGolden / folder)) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(".expected.json") || !file.ends_with(".json")) continue;
    names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

void expect_json_eq(const std::string& folder, const std::string& name, const Value& actual) {
  const fs::path expected_path = kGolden / folder / (name + ".expected.json");
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path;
  const Document expected = parse(read_file(expected_path));
  EXPECT_TRUE(expected == actual) << folder << "/" << name << ": got\n"
                                  << pretty(actual) << "\nexpected\n"
                                  << pretty(expected);
}

Value failure_json(const Failure& failure, Document::AllocatorType& allocator) {
  Value out(rapidjson::kObjectType);
  out.AddMember("status", failure.status, allocator);
  out.AddMember("message", Value(failure.message.c_str(), allocator), allocator);
  out.AddMember("type", Value(failure.type.c_str(), allocator), allocator);
  out.AddMember("code", Value(failure.code.c_str(), allocator), allocator);
  out.AddMember("param", Value(failure.param.c_str(), allocator), allocator);
  return out;
}

Document wrap_failure(const Failure& failure) {
  Document doc(rapidjson::kObjectType);
  doc.AddMember("failure", failure_json(failure, doc.GetAllocator()), doc.GetAllocator());
  return doc;
}

providers::Deployment deployment(std::string model) {
  providers::Deployment d;
  d.name = "golden#0";
  d.provider_type = "bedrock";
  d.model = std::move(model);
  d.settings = {{"aws_region_name", "us-east-1"},
                {"aws_access_key_id", "AKIDEXAMPLE"},
                {"aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
                {"aws_session_token", "SESSIONTOKENEXAMPLE0123"}};
  return d;
}

const char* auth_name(providers::Auth auth) {
  switch (auth) {
    case providers::Auth::ready:
      return "ready";
    case providers::Auth::aws_sigv4:
      return "aws_sigv4";
    case providers::Auth::google_oauth:
      return "google_oauth";
  }
  return "?";
}

constexpr std::string_view kClientModel = "client-model";
constexpr std::string_view kResponseId = "chatcmpl-golden";
constexpr int64_t kCreated = 1700000000;

providers::ResponseContext context() {
  return {kClientModel, kResponseId, kCreated};
}

Endpoint endpoint_of(const std::string& name) {
  return name.starts_with("embeddings-") ? Endpoint::embeddings : Endpoint::chat_completions;
}

TEST(BedrockGolden, Requests) {
  const auto adapter = make_bedrock_adapter();
  const auto names = cases("request");
  EXPECT_GE(names.size(), 15u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string input = read_file(kGolden / "request" / (name + ".json"));
    const Document body = parse(input);
    const auto d = deployment(body["model"].GetString());
    ASSERT_EQ(adapter->check(d), "");
    providers::UpstreamRequest request;
    Failure failure;
    if (!adapter->build_request(endpoint_of(name), input, d, &request, &failure)) {
      expect_json_eq("request", name, wrap_failure(failure));
      continue;
    }
    Document actual(rapidjson::kObjectType);
    auto& allocator = actual.GetAllocator();
    Value out(rapidjson::kObjectType);
    out.AddMember("method", Value(request.method.c_str(), allocator), allocator);
    out.AddMember("url", Value(request.url.c_str(), allocator), allocator);
    out.AddMember("stream", request.stream, allocator);
    out.AddMember("auth", rapidjson::StringRef(auth_name(request.auth)), allocator);
    out.AddMember("signing_region", Value(request.signing_region.c_str(), allocator), allocator);
    out.AddMember("signing_service", Value(request.signing_service.c_str(), allocator), allocator);
    Value headers(rapidjson::kArrayType);
    for (const auto& header : request.headers) {
      Value pair(rapidjson::kArrayType);
      pair.PushBack(Value(header.name.c_str(), allocator), allocator);
      pair.PushBack(Value(header.value.c_str(), allocator), allocator);
      headers.PushBack(pair, allocator);
    }
    out.AddMember("headers", headers, allocator);
    Document sent = parse(request.body);
    out.AddMember("body", Value(sent, allocator), allocator);
    actual.AddMember("request", out, allocator);
    expect_json_eq("request", name, actual);
  }
}

TEST(BedrockGolden, Responses) {
  const auto adapter = make_bedrock_adapter();
  const auto names = cases("response");
  EXPECT_GE(names.size(), 8u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string input = read_file(kGolden / "response" / (name + ".json"));
    std::string out;
    Failure failure;
    if (!adapter->translate_response(endpoint_of(name), input, context(), &out, &failure)) {
      expect_json_eq("response", name, wrap_failure(failure));
      continue;
    }
    expect_json_eq("response", name, parse(out));
  }
}

// Encodes the case's frames as Bedrock would send them.
std::string encode_events(const Document& events) {
  std::string bytes;
  for (const Value& event : events.GetArray()) {
    const std::string payload = compact(event["payload"]);
    if (event.HasMember("event")) {
      aws::append_event_frame(&bytes, event["event"].GetString(), payload);
    } else {
      aws::append_exception_frame(&bytes, event["exception"].GetString(), payload);
    }
  }
  return bytes;
}

// Feeds `bytes` cut at `cuts` and returns {"chunks", "failure"} as compact JSON text.
std::string decode(const std::string& bytes, const std::vector<size_t>& cuts) {
  const auto adapter = make_bedrock_adapter();
  auto decoder = adapter->stream_decoder(Endpoint::chat_completions, context());
  std::vector<std::string> chunks;
  Failure failure;
  bool ok = true;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size() && ok; ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : bytes.size();
    ok = decoder->feed(std::string_view(bytes).substr(from, to - from), &chunks, &failure);
    from = to;
  }
  if (ok) ok = decoder->finish(&chunks, &failure);
  Document result(rapidjson::kObjectType);
  auto& allocator = result.GetAllocator();
  Value list(rapidjson::kArrayType);
  for (const std::string& chunk : chunks) {
    Document parsed = parse(chunk);
    list.PushBack(Value(parsed, allocator), allocator);
  }
  result.AddMember("chunks", list, allocator);
  if (ok) {
    result.AddMember("failure", Value(), allocator);
  } else {
    result.AddMember("failure", failure_json(failure, allocator), allocator);
  }
  return compact(result);
}

TEST(BedrockGolden, Streams) {
  const auto names = cases("stream");
  EXPECT_GE(names.size(), 6u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Document events = parse(read_file(kGolden / "stream" / (name + ".json")));
    const std::string bytes = encode_events(events);
    const std::string whole = decode(bytes, {});
    expect_json_eq("stream", name, parse(whole));
    for (size_t cut = 1; cut < bytes.size(); ++cut) {
      ASSERT_EQ(decode(bytes, {cut}), whole) << "split at " << cut;
    }
    std::vector<size_t> every_byte;
    for (size_t cut = 1; cut < bytes.size(); ++cut) every_byte.push_back(cut);
    EXPECT_EQ(decode(bytes, every_byte), whole);
  }
}

TEST(BedrockGolden, Errors) {
  const auto adapter = make_bedrock_adapter();
  const auto names = cases("error");
  EXPECT_GE(names.size(), 4u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Document input = parse(read_file(kGolden / "error" / (name + ".json")));
    const Failure failure = adapter->translate_error(
        input["status"].GetInt(),
        std::string_view(input["body"].GetString(), input["body"].GetStringLength()),
        deployment("anthropic.claude-3-5-sonnet-20240620-v1:0"));
    Document actual;
    Value json = failure_json(failure, actual.GetAllocator());
    static_cast<Value&>(actual) = json;  // rapidjson assignment moves
    expect_json_eq("error", name, actual);
  }
}

}  // namespace
}  // namespace sluice::bedrock
