// RS256 JWT verification with OpenSSL and the claim checks of Google's token endpoint.

#include "tools/fake-llm/google_oauth_jwt.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>

#include "tools/fake-llm/json_read.h"

namespace fake_llm {
namespace {

// Google allows this much clock skew on iat, and an hour between iat and exp.
constexpr int64_t kSkewSeconds = 300;
constexpr int64_t kMaxLifetimeSeconds = 3600;
constexpr size_t kMaxAssertionBytes = 16 * 1024;

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool invalid(OAuthError* error, std::string_view code, std::string_view description) {
  error->error = std::string(code);
  error->description = std::string(description);
  return false;
}

bool read_json(std::string_view encoded, rapidjson::Document* doc) {
  std::string text;
  return base64url_decode(encoded, &text) && parse_json(text, doc) && doc->IsObject();
}

bool verify_signature(EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context) return false;
  if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  if (EVP_DigestVerifyUpdate(context.get(), signed_part.data(), signed_part.size()) != 1) {
    return false;
  }
  return EVP_DigestVerifyFinal(context.get(),
                               reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size()) == 1;
}

const rapidjson::Value* string_claim(const rapidjson::Document& claims, const char* name) {
  const rapidjson::Value* value = member(claims, name);
  return value != nullptr && value->IsString() && value->GetStringLength() > 0 ? value : nullptr;
}

}  // namespace

bool base64url_decode(std::string_view text, std::string* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  out->clear();
  out->reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return bits < 6;  // a single leftover character cannot encode a byte
}

PublicKey load_rsa_public_key(std::string_view pem, std::string* error) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) {
    *error = "out of memory";
    return nullptr;
  }
  PublicKey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    BIO_reset(bio.get());
    std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (certificate) key.reset(X509_get_pubkey(certificate.get()));
  }
  if (!key) {
    *error = "no PEM public key or certificate found";
    return nullptr;
  }
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    *error = "the key is not an RSA key (RS256 needs one)";
    return nullptr;
  }
  return key;
}

bool verify_service_account_jwt(std::string_view assertion, EVP_PKEY* key,
                                const std::vector<std::string>& audiences, int64_t now_s,
                                OAuthError* error) {
  if (assertion.size() > kMaxAssertionBytes) return invalid(error, "invalid_grant", "Invalid JWT.");
  const size_t first = assertion.find('.');
  const size_t second = first == std::string_view::npos ? first : assertion.find('.', first + 1);
  if (second == std::string_view::npos ||
      assertion.find('.', second + 1) != std::string_view::npos) {
    return invalid(error, "invalid_grant", "Invalid JWT: the assertion is not three segments.");
  }
  rapidjson::Document header;
  rapidjson::Document claims;
  std::string signature;
  if (!read_json(assertion.substr(0, first), &header) ||
      !read_json(assertion.substr(first + 1, second - first - 1), &claims) ||
      !base64url_decode(assertion.substr(second + 1), &signature)) {
    return invalid(error, "invalid_grant", "Invalid JWT: the segments do not decode.");
  }
  const rapidjson::Value* alg = string_claim(header, "alg");
  if (alg == nullptr || view(*alg) != "RS256") {
    return invalid(error, "invalid_grant", "Invalid JWT: the algorithm must be RS256.");
  }
  if (key != nullptr && !verify_signature(key, assertion.substr(0, second), signature)) {
    return invalid(error, "invalid_grant", "Invalid JWT Signature.");
  }
  if (string_claim(claims, "iss") == nullptr) {
    return invalid(error, "invalid_grant", "Invalid JWT: the iss claim is missing.");
  }
  const rapidjson::Value* aud = string_claim(claims, "aud");
  bool audience_ok = false;
  for (const std::string& accepted : audiences) {
    audience_ok = audience_ok || (aud != nullptr && view(*aud) == accepted);
  }
  if (!audience_ok) {
    return invalid(error, "invalid_grant",
                   "Invalid JWT: Failed audience check. The right audience is the token URL.");
  }
  const rapidjson::Value* iat = member(claims, "iat");
  const rapidjson::Value* exp = member(claims, "exp");
  const bool times_ok = iat != nullptr && exp != nullptr && iat->IsInt64() && exp->IsInt64() &&
                        exp->GetInt64() > iat->GetInt64() &&
                        exp->GetInt64() - iat->GetInt64() <= kMaxLifetimeSeconds &&
                        iat->GetInt64() <= now_s + kSkewSeconds && exp->GetInt64() > now_s;
  if (!times_ok) {
    return invalid(error, "invalid_grant",
                   "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                   "reasonable timeframe. Check your iat and exp values in the JWT claim.");
  }
  if (string_claim(claims, "scope") == nullptr) {
    return invalid(error, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
  }
  return true;
}

}  // namespace fake_llm
