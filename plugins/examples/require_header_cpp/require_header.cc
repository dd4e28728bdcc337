// example.require_header -- a sluice filter written with the C++ SDK (sluice/filter.hpp).
//
// Rejects requests that lack a configured header and lets the others through:
//
//   - type: example.require_header
//     config: {header: x-team, status: 403, message: "say which team you are"}
//
// The config is parsed with rapidjson (header-only); unknown members, wrong types and
// out-of-range values are refused with a message the host prints with the YAML line.

#include <sluice/filter.hpp>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace example {

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

}  // namespace

struct RequireHeaderConfig {
  std::string header;  // lower case
  uint32_t status = 400;
  std::string message;

  static std::unique_ptr<RequireHeaderConfig> create(sluice::ConfigContext&, std::string_view json,
                                                     std::string& error) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) {
      error = std::string("config is not valid JSON: ") +
              rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
              std::to_string(doc.GetErrorOffset());
      return nullptr;
    }
    if (!doc.IsObject()) {
      error = "config must be an object {header, status, message}";
      return nullptr;
    }
    auto config = std::make_unique<RequireHeaderConfig>();
    bool has_header = false;
    std::string seen;  // one letter per member already read: h, s, m
    for (const auto& member : doc.GetObject()) {
      std::string_view key(member.name.GetString(), member.name.GetStringLength());
      const rapidjson::Value& value = member.value;
      if (!key.empty() && seen.find(key[0]) != std::string::npos &&
          (key == "header" || key == "status" || key == "message")) {
        error = "'" + std::string(key) + "' is given twice";
        return nullptr;
      }
      if (key == "header" || key == "status" || key == "message") seen.push_back(key[0]);
      if (key == "header") {
        if (!value.IsString()) {
          error = "header must be a string";
          return nullptr;
        }
        std::string_view name(value.GetString(), value.GetStringLength());
        if (name.empty() || name.size() > 256 ||
            !std::all_of(name.begin(), name.end(), is_token_char)) {
          error = "header must be a valid header name (letters, digits and !#$%&'*+-.^_`|~)";
          return nullptr;
        }
        config->header = lower(name);
        has_header = true;
      } else if (key == "status") {
        if (!value.IsUint() || value.GetUint() < 400 || value.GetUint() > 499) {
          error = "status must be an integer from 400 to 499";
          return nullptr;
        }
        config->status = value.GetUint();
      } else if (key == "message") {
        if (!value.IsString()) {
          error = "message must be a string";
          return nullptr;
        }
        config->message.assign(value.GetString(), value.GetStringLength());
      } else {
        error = "unknown field '" + std::string(key) + "' (expected header, status, message)";
        return nullptr;
      }
    }
    if (!has_header) {
      error = "header is required";
      return nullptr;
    }
    if (config->message.empty()) config->message = "missing required header " + config->header;
    return config;
  }
};

class RequireHeaderFilter : public sluice::Filter {
 public:
  RequireHeaderFilter(const RequireHeaderConfig& config, sluice::Stream stream)
      : sluice::Filter(stream), config_(config) {}

  sluice::Status on_request_headers(bool) override {
    auto value = stream().header(sluice::Part::request, config_.header);
    if (value && !value->empty()) return sluice::Continue;
    if (!stream().error(config_.status, config_.message, "missing_required_header")) {
      return sluice::Fail;
    }
    return sluice::LocalReply;
  }

 private:
  const RequireHeaderConfig& config_;
};

}  // namespace example

SLUICE_PLUGIN("sluice-example-require-header", "0.1.0",
              SLUICE_FILTER_TYPE("example.require_header", example::RequireHeaderConfig,
                                 example::RequireHeaderFilter))
