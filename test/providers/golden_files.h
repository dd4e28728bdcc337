#pragma once
// Provider-neutral pieces of the adapter golden tests (test/providers/<name>/): reading golden
// files, normalising JSON for exact comparison, and spelling an UpstreamRequest, a Failure and
// a decoded stream as the JSON the expected-output files hold.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "providers/common/adapter.h"

namespace sluice::providers::testing {

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

// The SSE events' data fields of `text` ("data:" lines of one event joined by "\n").
inline std::vector<std::string> sse_data(const std::string& text) {
  std::vector<std::string> events;
  std::string data;
  bool has_data = false;
  std::istringstream lines(text);
  std::string line;
  const auto flush = [&] {
    if (has_data) events.push_back(data);
    data.clear();
    has_data = false;
  };
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
    } else if (line.starts_with("data:")) {
      std::string_view value = std::string_view(line).substr(5);
      if (value.starts_with(' ')) value.remove_prefix(1);
      if (has_data) data += '\n';
      data += value;
      has_data = true;
    }
  }
  flush();
  return events;
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

}  // namespace sluice::providers::testing
