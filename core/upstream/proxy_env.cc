// Proxy settings from the environment (see proxy_env.h).

#include "core/upstream/proxy_env.h"

#include <curl/curl.h>

#include <cstdlib>
#include <initializer_list>

namespace sluice::upstream {

namespace {

std::string first_set(const ProxyEnvironment::Lookup& lookup,
                      std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = lookup(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

void add_credentials(const std::string& url, std::vector<std::string>* out) {
  if (url.empty()) return;
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), CURLU_DEFAULT_SCHEME) == CURLUE_OK) {
    for (const CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD}) {
      for (const unsigned int flags : {0u, static_cast<unsigned int>(CURLU_URLDECODE)}) {
        char* value = nullptr;
        if (curl_url_get(parsed, part, &value, flags) == CURLUE_OK && value != nullptr) {
          if (*value != '\0') out->emplace_back(value);
        }
        curl_free(value);
      }
    }
  }
  curl_url_cleanup(parsed);
}

}  // namespace

ProxyEnvironment ProxyEnvironment::read() {
  return read([](const char* name) -> const char* { return std::getenv(name); });
}

ProxyEnvironment ProxyEnvironment::read(const Lookup& lookup) {
  ProxyEnvironment env;
  const std::string all = first_set(lookup, {"all_proxy", "ALL_PROXY"});
  env.http = first_set(lookup, {"http_proxy", "HTTP_PROXY"});
  if (env.http.empty()) env.http = all;
  env.https = first_set(lookup, {"https_proxy", "HTTPS_PROXY"});
  if (env.https.empty()) env.https = all;
  env.no_proxy = first_set(lookup, {"no_proxy", "NO_PROXY"});
  return env;
}

const std::string& ProxyEnvironment::for_scheme(std::string_view scheme) const {
  return scheme == "https" ? https : http;
}

std::vector<std::string> ProxyEnvironment::secrets() const {
  std::vector<std::string> out;
  add_credentials(http, &out);
  add_credentials(https, &out);
  return out;
}

}  // namespace sluice::upstream
