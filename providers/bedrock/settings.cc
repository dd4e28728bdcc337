// The deployment's settings and what follows from them: their check, the endpoint, the signing
// region, a model's URL, and the method, headers and authentication of an upstream request.

#include <array>

#include "providers/bedrock/internal.h"

namespace sluice::bedrock {
namespace {

constexpr std::array<std::string_view, 4> kKnownSettings = {
    "aws_region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"};

std::string_view setting(const Deployment& deployment, std::string_view name) {
  const auto found = deployment.settings.find(name);
  return found == deployment.settings.end() ? std::string_view() : std::string_view(found->second);
}

bool is_region_name(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (const char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void url_encode_segment(std::string_view text, std::string* out) {
  constexpr char kHex[] = "0123456789ABCDEF";
  const auto unreserved = [](unsigned char byte) {
    return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
           (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' || byte == '.' || byte == '~';
  };
  size_t i = 0;
  while (i < text.size()) {
    // Unreserved bytes are appended in runs rather than one by one.
    size_t run = i;
    while (run < text.size() && unreserved(static_cast<unsigned char>(text[run]))) ++run;
    out->append(text.substr(i, run - i));
    if (run == text.size()) break;
    const auto byte = static_cast<unsigned char>(text[run]);
    const char escaped[3] = {'%', kHex[byte >> 4], kHex[byte & 0xF]};
    out->append(escaped, 3);
    i = run + 1;
  }
}

}  // namespace

std::string check_deployment(const Deployment& deployment) {
  for (const auto& [name, value] : deployment.settings) {
    bool known = false;
    for (const std::string_view candidate : kKnownSettings) known = known || candidate == name;
    if (!known) {
      return "setting '" + name +
             "' is not known to provider bedrock (known: aws_region_name, aws_access_key_id, "
             "aws_secret_access_key, aws_session_token)";
    }
  }
  const std::string_view region = setting(deployment, "aws_region_name");
  if (region.empty() && deployment.base_url.empty()) {
    return "aws_region_name is required when api_base is not set";
  }
  if (!region.empty() && !is_region_name(region)) {
    return "aws_region_name must be a region name such as us-east-1";
  }
  if (!deployment.base_url.empty() && !deployment.base_url.starts_with("https://") &&
      !deployment.base_url.starts_with("http://")) {
    return "api_base must start with http:// or https://";
  }
  if (setting(deployment, "aws_access_key_id").empty() !=
      setting(deployment, "aws_secret_access_key").empty()) {
    return "aws_access_key_id and aws_secret_access_key must be set together";
  }
  if (!setting(deployment, "aws_session_token").empty() &&
      setting(deployment, "aws_access_key_id").empty()) {
    return "aws_session_token needs aws_access_key_id and aws_secret_access_key";
  }
  if (deployment.model.empty()) return "the model id is empty";
  return "";
}

namespace {

void append_endpoint_base(const Deployment& deployment, std::string* out) {
  if (!deployment.base_url.empty()) {
    out->append(deployment.base_url);
  } else {
    out->append("https://bedrock-runtime.")
        .append(setting(deployment, "aws_region_name"))
        .append(".amazonaws.com");
  }
}

}  // namespace

std::string endpoint_base(const Deployment& deployment) {
  std::string base;
  append_endpoint_base(deployment, &base);
  return base;
}

std::string signing_region(const Deployment& deployment) {
  const std::string_view region = setting(deployment, "aws_region_name");
  if (!region.empty()) return std::string(region);
  // An api_base of the usual shape names its region: https://bedrock-runtime.<region>.amazonaws.com
  constexpr std::string_view kHostPrefix = "bedrock-runtime.";
  const std::string_view base = deployment.base_url;
  const size_t start = base.find(kHostPrefix);
  if (start != std::string_view::npos) {
    const size_t from = start + kHostPrefix.size();
    const size_t end = base.find('.', from);
    const std::string_view candidate = base.substr(from, end - from);
    if (end != std::string_view::npos && is_region_name(candidate)) return std::string(candidate);
  }
  return "us-east-1";
}

std::string model_url(const Deployment& deployment, std::string_view operation) {
  std::string url;
  // Room for the longest form (every byte of the model id escaped), so the URL is built in place.
  url.reserve(deployment.base_url.size() + 96 + 3 * deployment.model.size() + operation.size());
  append_endpoint_base(deployment, &url);
  url.append("/model/");
  url_encode_segment(deployment.model, &url);
  url.push_back('/');
  url.append(operation);
  return url;
}

void fill_request(const Deployment& deployment, std::string url, std::string body, bool stream,
                  UpstreamRequest* out) {
  out->method = "POST";
  out->url = std::move(url);
  out->headers.clear();
  out->headers.push_back({"content-type", "application/json"});
  out->body = std::move(body);
  out->stream = stream;
  if (!deployment.api_key.empty()) {
    // A Bedrock API key is a bearer token and replaces SigV4.
    out->headers.push_back({"authorization", "Bearer " + deployment.api_key});
    out->auth = providers::Auth::ready;
    out->signing_region.clear();
    out->signing_service.clear();
  } else {
    out->auth = providers::Auth::aws_sigv4;
    out->signing_region = signing_region(deployment);
    out->signing_service = "bedrock";
  }
}

}  // namespace sluice::bedrock
