// Signature Version 4: canonical request, string to sign, signing key, Authorization header; and
// the same steps run backwards from a received request to check it.

#include "providers/aws/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>

namespace sluice::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

using Digest = std::array<unsigned char, 32>;

std::string_view as_view(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// SHA-256 fetched once: OpenSSL 3 otherwise looks the algorithm up on every call (and HMAC() sets
// up a whole MAC provider), which costs more than hashing a request.
const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const algorithm = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return algorithm;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// The SHA-256 of the concatenated parts.
Digest sha256(std::initializer_list<std::string_view> parts) {
  thread_local const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  Digest out{};
  unsigned int size = 0;
  EVP_DigestInit_ex(context.get(), sha256_algorithm(), nullptr);
  for (const std::string_view part : parts) {
    EVP_DigestUpdate(context.get(), part.data(), part.size());
  }
  EVP_DigestFinal_ex(context.get(), out.data(), &size);
  return out;
}

// HMAC-SHA256 (RFC 2104) over the fetched digest.
Digest hmac(std::string_view key, std::string_view data) {
  constexpr size_t kBlockSize = 64;
  std::array<char, kBlockSize> block{};
  if (key.size() > kBlockSize) {
    const Digest hashed = sha256({key});
    std::copy(hashed.begin(), hashed.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<char, kBlockSize> inner_pad{};
  std::array<char, kBlockSize> outer_pad{};
  for (size_t i = 0; i < kBlockSize; ++i) {
    inner_pad[i] = static_cast<char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  const Digest inner = sha256({std::string_view(inner_pad.data(), kBlockSize), data});
  const Digest out = sha256({std::string_view(outer_pad.data(), kBlockSize), as_view(inner)});
  OPENSSL_cleanse(block.data(), kBlockSize);
  OPENSSL_cleanse(inner_pad.data(), kBlockSize);
  OPENSSL_cleanse(outer_pad.data(), kBlockSize);
  return out;
}

std::string hex(const unsigned char* bytes, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 0xF]);
  }
  return out;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void uri_encode(std::string_view text, std::string* out) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte)) {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kUpperHexDigits[byte >> 4]);
      out->push_back(kUpperHexDigits[byte & 0xF]);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// The path with "." and ".." segments resolved and empty segments dropped (RFC 3986 section
// 5.2.4 plus AWS's collapsing of repeated slashes), each segment encoded once more.
std::string canonical_uri(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  const bool trailing_slash = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    uri_encode(segments[i], &out);
  }
  if (trailing_slash && !segments.empty()) out.push_back('/');
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    const size_t equals = piece.find('=');
    std::pair<std::string, std::string> pair;
    uri_encode(percent_decode(piece.substr(0, equals)), &pair.first);
    if (equals != std::string_view::npos) {
      uri_encode(percent_decode(piece.substr(equals + 1)), &pair.second);
    }
    pairs.push_back(std::move(pair));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(key).append("=").append(value);
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Trims the value and folds each run of inner whitespace into one space.
void append_folded(std::string_view value, std::string* out) {
  bool pending_space = false;
  bool seen_text = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = seen_text;
      continue;
    }
    if (pending_space) out->push_back(' ');
    pending_space = false;
    seen_text = true;
    out->push_back(c);
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view scope_date(std::string_view amz_date) {
  return amz_date.substr(0, 8);
}

std::string credential_scope(std::string_view amz_date, std::string_view region,
                             std::string_view service) {
  std::string scope(scope_date(amz_date));
  scope.append("/").append(region).append("/").append(service).append("/aws4_request");
  return scope;
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian), after Howard Hinnant's
// well-known derivation; avoids gmtime and its locale/timezone state.
void civil_from_days(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  *year = static_cast<int64_t>(year_of_era) + era * 400 + (*month <= 2 ? 1 : 0);
}

void append_digits(std::string* out, int64_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) out->append(width - digits.size(), '0');
  out->append(digits);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

const std::string* find_header(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (name.size() == lower_name.size() && lower(name) == lower_name) return &value;
  }
  return nullptr;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  const Digest digest = sha256({bytes});
  return hex(digest.data(), digest.size());
}

std::string amz_date(int64_t unix_seconds) {
  const int64_t days = (unix_seconds >= 0 ? unix_seconds : unix_seconds - 86399) / 86400;
  const int64_t second_of_day = unix_seconds - days * 86400;
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, &year, &month, &day);
  std::string out;
  out.reserve(16);
  append_digits(&out, year, 4);
  append_digits(&out, month, 2);
  append_digits(&out, day, 2);
  out.push_back('T');
  append_digits(&out, second_of_day / 3600, 2);
  append_digits(&out, second_of_day / 60 % 60, 2);
  append_digits(&out, second_of_day % 60, 2);
  out.push_back('Z');
  return out;
}

Signature compute_signature(const SigningInput& input, const Credentials& credentials) {
  Signature result;
  const size_t question = input.target.find('?');
  const std::string_view path = input.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : input.target.substr(question + 1);

  // Lower-case names, sorted stably so repeated headers keep their order.
  std::vector<std::pair<std::string, std::string_view>> headers;
  if (input.headers != nullptr) {
    headers.reserve(input.headers->size());
    for (const auto& [name, value] : *input.headers) headers.emplace_back(lower(name), value);
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    const bool repeat = i > 0 && headers[i].first == headers[i - 1].first;
    if (repeat) {
      canonical_headers.push_back(',');
    } else {
      if (i > 0) canonical_headers.push_back('\n');
      canonical_headers.append(headers[i].first).push_back(':');
      if (!result.signed_headers.empty()) result.signed_headers.push_back(';');
      result.signed_headers.append(headers[i].first);
    }
    append_folded(headers[i].second, &canonical_headers);
  }
  if (!headers.empty()) canonical_headers.push_back('\n');

  std::string& creq = result.canonical_request;
  creq.append(input.method).push_back('\n');
  creq.append(canonical_uri(path)).push_back('\n');
  creq.append(canonical_query(query)).push_back('\n');
  creq.append(canonical_headers).push_back('\n');
  creq.append(result.signed_headers).push_back('\n');
  creq.append(sha256_hex(input.body));

  const std::string scope = credential_scope(input.amz_date, input.region, input.service);
  std::string& sts = result.string_to_sign;
  sts.append(kAlgorithm).push_back('\n');
  sts.append(input.amz_date).push_back('\n');
  sts.append(scope).push_back('\n');
  sts.append(sha256_hex(creq));

  std::string secret = "AWS4" + credentials.secret_access_key;
  Digest key = hmac(secret, scope_date(input.amz_date));
  OPENSSL_cleanse(secret.data(), secret.size());
  key = hmac(as_view(key), input.region);
  key = hmac(as_view(key), input.service);
  key = hmac(as_view(key), "aws4_request");
  const Digest signature = hmac(as_view(key), sts);
  OPENSSL_cleanse(key.data(), key.size());
  result.signature = hex(signature.data(), signature.size());

  std::string& authorization = result.authorization;
  authorization.append(kAlgorithm).append(" Credential=").append(credentials.access_key_id);
  authorization.append("/").append(scope);
  authorization.append(", SignedHeaders=").append(result.signed_headers);
  authorization.append(", Signature=").append(result.signature);
  return result;
}

bool sign_request(std::string_view method, std::string_view url, std::string_view body,
                  std::string_view region, std::string_view service, const Credentials& credentials,
                  int64_t unix_seconds, HeaderList* headers, std::string* error) {
  std::string_view default_port;
  std::string_view rest;
  if (url.starts_with("https://")) {
    default_port = ":443";
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    default_port = ":80";
    rest = url.substr(7);
  } else {
    *error = "the URL to sign must start with http:// or https://";
    return false;
  }
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view host = rest.substr(0, authority_end);
  std::string target(authority_end == std::string_view::npos ? "/" : rest.substr(authority_end));
  if (target.front() == '?') target.insert(0, "/");
  if (host.empty() || host.find('@') != std::string_view::npos) {
    *error = "the URL to sign has no usable host";
    return false;
  }
  if (host.ends_with(default_port)) host.remove_suffix(default_port.size());

  // Re-signing (a retry, a fallback) replaces the previous signature's headers.
  std::erase_if(*headers, [](const auto& header) {
    const std::string name = lower(header.first);
    return name == "authorization" || name == "x-amz-date" || name == "x-amz-security-token";
  });
  const std::string date = amz_date(unix_seconds);
  HeaderList signed_headers = *headers;
  if (find_header(signed_headers, "host") == nullptr) signed_headers.emplace_back("host", host);
  HeaderList added;
  added.emplace_back("x-amz-date", date);
  if (!credentials.session_token.empty()) {
    added.emplace_back("x-amz-security-token", credentials.session_token);
  }
  signed_headers.insert(signed_headers.end(), added.begin(), added.end());

  SigningInput input;
  input.method = method;
  input.target = target;
  input.headers = &signed_headers;
  input.body = body;
  input.region = region;
  input.service = service;
  input.amz_date = date;
  Signature signature = compute_signature(input, credentials);
  headers->insert(headers->end(), added.begin(), added.end());
  headers->emplace_back("authorization", std::move(signature.authorization));
  return true;
}

VerifyResult verify_request(std::string_view method, std::string_view target,
                            const HeaderList& headers, std::string_view body,
                            const Credentials& credentials, std::string_view service,
                            std::string* detail) {
  const std::string* authorization = find_header(headers, "authorization");
  if (authorization == nullptr || !std::string_view(*authorization).starts_with(kAlgorithm)) {
    *detail = "no AWS4-HMAC-SHA256 Authorization header";
    return VerifyResult::missing;
  }
  std::string_view credential, signed_names, signature;
  std::string_view rest = std::string_view(*authorization).substr(kAlgorithm.size());
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (part.starts_with("Credential=")) credential = part.substr(11);
    if (part.starts_with("SignedHeaders=")) signed_names = part.substr(14);
    if (part.starts_with("Signature=")) signature = part.substr(10);
  }
  if (credential.empty() || signed_names.empty() || signature.empty()) {
    *detail = "the Authorization header lacks Credential, SignedHeaders or Signature";
    return VerifyResult::malformed;
  }
  std::vector<std::string_view> scope;
  for (size_t start = 0;;) {
    const size_t slash = credential.find('/', start);
    scope.push_back(credential.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    *detail = "the credential scope is not <key>/<date>/<region>/<service>/aws4_request";
    return VerifyResult::malformed;
  }
  if (scope[0] != credentials.access_key_id) {
    *detail = "the access key id is not known";
    return VerifyResult::unknown_access_key;
  }
  const std::string* date = find_header(headers, "x-amz-date");
  if (date == nullptr || date->size() != 16 || scope_date(*date) != scope[1]) {
    *detail = "x-amz-date is missing or does not match the credential scope's date";
    return VerifyResult::malformed;
  }
  if (!service.empty() && scope[3] != service) {
    *detail = "the credential scope names service '" + std::string(scope[3]) + "'";
    return VerifyResult::mismatch;
  }
  HeaderList to_sign;
  bool has_host = false;
  bool has_date = false;
  for (size_t start = 0; start <= signed_names.size();) {
    size_t semicolon = signed_names.find(';', start);
    if (semicolon == std::string_view::npos) semicolon = signed_names.size();
    const std::string name(signed_names.substr(start, semicolon - start));
    start = semicolon + 1;
    has_host = has_host || name == "host";
    has_date = has_date || name == "x-amz-date";
    bool found = false;
    for (const auto& [received_name, value] : headers) {
      if (lower(received_name) == name) {
        to_sign.emplace_back(name, value);
        found = true;
      }
    }
    if (!found) {
      *detail = "signed header '" + name + "' is not in the request";
      return VerifyResult::malformed;
    }
  }
  if (!has_host || !has_date) {
    *detail = "host and x-amz-date must be signed";
    return VerifyResult::malformed;
  }
  SigningInput input;
  input.method = method;
  input.target = target;
  input.headers = &to_sign;
  input.body = body;
  input.region = scope[2];
  input.service = scope[3];
  input.amz_date = *date;
  const Signature expected = compute_signature(input, credentials);
  if (expected.signature.size() != signature.size() ||
      CRYPTO_memcmp(expected.signature.data(), signature.data(), signature.size()) != 0 ||
      expected.signed_headers != signed_names) {
    *detail = "the signature does not match";
    return VerifyResult::mismatch;
  }
  return VerifyResult::ok;
}

}  // namespace sluice::aws
