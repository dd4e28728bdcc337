#pragma once
// Provider-neutral pieces of the adapter tests (test/providers/<name>/): reading golden files,
// normalising JSON for exact comparison, spelling an UpstreamRequest, a Failure and a decoded
// stream as the JSON the expected-output files hold, and the truncated / garbled variants of
// golden inputs the robustness tests feed.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "providers/common/adapter.h"
#include "test/providers/golden_support.h"

namespace sluice::providers::testing {

using golden::read_file;
using golden::sse_data;

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

// {"failure":{"status","type","code","param","message"}}
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

inline const char* auth_name(Auth auth) {
  switch (auth) {
    case Auth::ready:
      return "ready";
    case Auth::aws_sigv4:
      return "aws_sigv4";
    case Auth::google_oauth:
      return "google_oauth";
  }
  return "";
}

// {"method","url","headers":[[name,value]...],"stream","auth","body":<the JSON body>}
inline std::string request_json(const UpstreamRequest& request) {
  rapidjson::Document document(rapidjson::kObjectType);
  auto& allocator = document.GetAllocator();
  document.AddMember("method", rapidjson::Value(request.method.c_str(), allocator), allocator);
  document.AddMember("url", rapidjson::Value(request.url.c_str(), allocator), allocator);
  rapidjson::Value headers(rapidjson::kArrayType);
  for (const Header& header : request.headers) {
    rapidjson::Value pair(rapidjson::kArrayType);
    pair.PushBack(rapidjson::Value(header.name.c_str(), allocator), allocator);
    pair.PushBack(rapidjson::Value(header.value.c_str(), allocator), allocator);
    headers.PushBack(pair, allocator);
  }
  document.AddMember("headers", headers, allocator);
  document.AddMember("stream", request.stream, allocator);
  document.AddMember("auth", rapidjson::StringRef(auth_name(request.auth)), allocator);
  rapidjson::Document body(&allocator);
  body.Parse(request.body.c_str());
  if (body.HasParseError()) {
    document.AddMember("body_text", rapidjson::Value(request.body.c_str(), allocator), allocator);
  } else {
    document.AddMember("body", rapidjson::Value(body, allocator), allocator);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// What `decoder` makes of an SSE text: {"chunks":[...],"finished":true} or, at the first
// failure (of feed or finish), {"chunks":[...],"failure":{...}}.
inline std::string decode_stream(StreamDecoder& decoder, const std::string& sse) {
  std::vector<std::string> chunks;
  Failure failure;
  bool ok = true;
  for (const std::string& event : sse_data(sse)) {
    if (!(ok = decoder.feed(event, &chunks, &failure))) break;
  }
  if (ok) ok = decoder.finish(&chunks, &failure);
  std::string out = "{\"chunks\":[";
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) out += ",";
    out += chunks[i];
  }
  out += "]";
  if (ok) return out + ",\"finished\":true}";
  return out + "," + failure_json(failure).substr(1);  // {"failure":...} without its brace
}

// test/providers/<provider>/golden in the source tree.
inline std::string golden_dir_of(std::string_view provider) {
  return std::string(SLUICE_SOURCE_DIR) + "/test/providers/" + std::string(provider) + "/golden";
}

// The response context golden answers and streams are translated with.
inline ResponseContext golden_response_context() {
  ResponseContext context;
  context.client_model = "my-model";
  context.response_id = "chatcmpl-fallback";
  context.created = 1700000000;
  return context;
}

// What `adapter` makes of a golden input of `kind` (request, response, stream, error; an error
// case with the provider's `status`), as the JSON its expected-output file holds.
inline std::string translate_golden_input(const Adapter& adapter, Endpoint endpoint,
                                          const Deployment& deployment, const std::string& kind,
                                          int status, const std::string& input) {
  Failure failure;
  if (kind == "request") {
    UpstreamRequest request;
    if (!adapter.build_request(endpoint, input, deployment, &request, &failure)) {
      return failure_json(failure);
    }
    return request_json(request);
  }
  if (kind == "response") {
    std::string out;
    if (!adapter.translate_response(endpoint, input, golden_response_context(), &out, &failure)) {
      return failure_json(failure);
    }
    return out;
  }
  if (kind == "stream") {
    return decode_stream(*adapter.stream_decoder(endpoint, golden_response_context()), input);
  }
  return failure_json(adapter.translate_error(status, input, deployment));
}

// One golden case: what `run` makes of <dir>/<kind>/<name><input_suffix> must equal
// <name>.expected.json, both normalised.
inline void expect_golden_case(const std::string& dir, const std::string& kind,
                               const std::string& name, const std::string& input_suffix,
                               const std::function<std::string(const std::string&)>& run) {
  const std::string base = dir + "/" + kind + "/" + name;
  const std::string input = read_file(base + input_suffix);
  ASSERT_FALSE(input.empty()) << base << input_suffix;
  const std::string expected = normalise_json(read_file(base + ".expected.json"));
  ASSERT_FALSE(expected.empty()) << base << ".expected.json is not JSON";
  const std::string actual = run(input);
  EXPECT_EQ(normalise_json(actual), expected) << "actual: " << actual;
}

// The files a list of cases (each with a kind and a name) names: <kind>/<name><input suffix>
// and <kind>/<name>.expected.json, to compare with files_under the golden folder.
template <typename Case, typename InputSuffix>
std::set<std::string> files_of_cases(const std::vector<Case>& cases, InputSuffix input_suffix) {
  std::set<std::string> files;
  for (const Case& test_case : cases) {
    const std::string base = test_case.kind + "/" + test_case.name;
    files.insert(base + input_suffix(test_case.kind));
    files.insert(base + ".expected.json");
  }
  return files;
}

// Every regular file under `dir`, as paths relative to it: what a golden folder holds, for the
// check that each file belongs to a case.
inline std::set<std::string> files_under(const std::string& dir) {
  std::set<std::string> present;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      present.insert(std::filesystem::relative(entry.path(), dir).string());
    }
  }
  return present;
}

// The texts of the files in `dir` whose names end in `suffix`; a test failure when there are
// none, so a robustness test never passes by testing nothing.
inline std::vector<std::string> inputs_in(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().string().ends_with(suffix)) texts.push_back(read_file(entry.path().string()));
  }
  if (texts.empty()) ADD_FAILURE() << "no inputs ending in " << suffix << " under " << dir;
  return texts;
}

// Variants of `text`: each prefix, then `count` copies with three bytes overwritten (JSON
// punctuation, digits, letters of literals, NUL and bytes that break UTF-8). The generator is
// seeded from the text, so reruns see the same inputs.
inline std::vector<std::string> broken_variants(const std::string& text, int count) {
  std::vector<std::string> out;
  for (size_t length = 0; length < text.size(); ++length) out.push_back(text.substr(0, length));
  std::mt19937 random(static_cast<unsigned>(text.size()));
  static constexpr char kAlphabet[] = "{}[]\":,\\ 0123456789.-eEtrufalsn\x00\xFF\xC3";
  const std::string_view alphabet(kAlphabet, sizeof kAlphabet - 1);  // keeps the NUL byte
  for (int i = 0; i < count && !text.empty(); ++i) {
    std::string garbled = text;
    for (int k = 0; k < 3; ++k) {
      garbled[random() % garbled.size()] = alphabet[random() % alphabet.size()];
    }
    out.push_back(std::move(garbled));
  }
  return out;
}

// A failure a client can be given: an error status and a message.
inline void expect_sound_failure(const Failure& failure, const std::string& input) {
  EXPECT_GE(failure.status, 400) << input;
  EXPECT_LE(failure.status, 599) << input;
  EXPECT_FALSE(failure.message.empty()) << input;
}

// Feeds each "data: " line of `input` (however broken) to `decoder` as one event, then ends
// the stream; whatever comes out must be sound: every chunk JSON, a failure an error.
inline void expect_sound_stream(StreamDecoder& decoder, const std::string& input) {
  std::vector<std::string> chunks;
  Failure failure;
  bool ok = true;
  size_t begin = 0;
  while (ok && begin < input.size()) {
    size_t end = input.find('\n', begin);
    if (end == std::string::npos) end = input.size();
    const std::string_view line = std::string_view(input).substr(begin, end - begin);
    if (line.starts_with("data: ")) ok = decoder.feed(line.substr(6), &chunks, &failure);
    begin = end + 1;
  }
  if (ok) ok = decoder.finish(&chunks, &failure);
  if (!ok) expect_sound_failure(failure, input);
  for (const std::string& chunk : chunks) EXPECT_FALSE(normalise_json(chunk).empty()) << input;
}

}  // namespace sluice::providers::testing
