// URL rules and form encoding: see url_rules.h.

#include "providers/auth/url_rules.h"

#include <cctype>

namespace sluice::providers::auth {
namespace {

bool starts_with_scheme(std::string_view url, std::string_view scheme) {
  if (url.size() < scheme.size()) return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
  }
  return true;
}

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (!host.starts_with("127.")) return false;
  for (char c : host) {
    if (c != '.' && (c < '0' || c > '9')) return false;  // 127.evil.com is a name, not loopback
  }
  return true;
}

}  // namespace

std::string url_host(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string_view host;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return "";
    host = rest.substr(1, close - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  std::string lower;
  for (char c : host) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool allowed_container_url(std::string_view url) {
  if (starts_with_scheme(url, "https://")) return !url_host(url).empty();
  if (!starts_with_scheme(url, "http://")) return false;
  const std::string host = url_host(url);
  return loopback_host(host) || host == "169.254.170.2" || host == "169.254.170.23" ||
         host == "fd00:ec2::23";
}

bool allowed_token_url(std::string_view url) {
  if (starts_with_scheme(url, "https://")) return !url_host(url).empty();
  return starts_with_scheme(url, "http://") && loopback_host(url_host(url));
}

std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace sluice::providers::auth
