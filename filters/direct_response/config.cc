// direct_response: config parsing through the filter's proto (unknown fields rejected).

#include "filters/direct_response/config.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

#include "filters/direct_response/direct_response.pb.h"

namespace sluice::filters::direct_response {
namespace {

bool is_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::unique_ptr<Config> Config::create(ConfigContext&, std::string_view json, std::string& error) {
  v1::DirectResponse proto;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &proto, options);
  if (!status.ok()) {
    error = std::string(status.message());
    return nullptr;
  }
  auto config = std::make_unique<Config>();
  config->status = proto.status() ? proto.status() : 200;
  if (config->status < 200 || config->status > 599) {
    error = "status must be between 200 and 599, got " + std::to_string(config->status);
    return nullptr;
  }
  config->body = proto.body();
  bool has_content_type = false;
  for (const auto& [raw_name, value] : proto.headers()) {
    std::string name = raw_name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_token(name)) {
      error = "headers: '" + raw_name + "' is not a valid header name";
      return nullptr;
    }
    if (name == "content-length" || name == "transfer-encoding" || name == "connection") {
      error = "headers: '" + name + "' is set by the server and cannot be configured";
      return nullptr;
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      error = "headers: the value of '" + name + "' contains CR, LF or NUL";
      return nullptr;
    }
    has_content_type = has_content_type || name == "content-type";
    config->headers.emplace_back(std::move(name), value);
  }
  std::sort(config->headers.begin(), config->headers.end());
  if (!config->body.empty() && !has_content_type) {
    config->headers.emplace_back("content-type", "application/json");
  }
  config->abi_headers.reserve(config->headers.size());
  for (const auto& [name, value] : config->headers) {
    config->abi_headers.push_back({detail::str(name), detail::str(value)});
  }
  return config;
}

}  // namespace sluice::filters::direct_response
