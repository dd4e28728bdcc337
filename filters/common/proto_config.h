#pragma once
// Header-only: parses a filter's config JSON into its proto message with protobuf's JSON parser,
// unknown fields rejected, so every built-in filter refuses a misspelt field the same way.

#include <google/protobuf/util/json_util.h>

#include <string>
#include <string_view>

namespace sluice::filters::common {

// True when `json` parsed into *out; otherwise *error says why (protobuf's own message).
template <class Message>
bool parse_proto_config(std::string_view json, Message* out, std::string& error) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  if (!status.ok()) {
    error = std::string(status.message());
    return false;
  }
  return true;
}

}  // namespace sluice::filters::common
