#pragma once
// RS256 JSON Web Tokens for Google's OAuth 2.0 service-account flow, signed with OpenSSL.
//
// Thread safety: an RsaSigner is immutable after from_pem(); sign() may be called from any
// thread.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "providers/support/base64.h"

namespace sluice::providers::auth {

class RsaSigner {
 public:
  // The signer for a PEM RSA private key (PKCS#8 or PKCS#1); null with *error (which never
  // quotes the key) when it is not one.
  static std::unique_ptr<RsaSigner> from_pem(std::string_view pem, std::string* error);

  // The RSASSA-PKCS1-v1_5 SHA-256 signature of `data`; false when OpenSSL fails.
  bool sign(std::string_view data, std::string* signature) const;

  struct KeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  explicit RsaSigner(std::unique_ptr<EVP_PKEY, KeyDeleter> key) : key_(std::move(key)) {}

 private:
  std::unique_ptr<EVP_PKEY, KeyDeleter> key_;
};

// base64url without padding, as JWTs use it (providers/support).
using support::base64url;

// What a Google service-account assertion claims.
struct JwtClaims {
  std::string issuer;     // iss: the client_email
  std::string scope;      // scope
  std::string audience;   // aud: the token_uri
  int64_t issued_at = 0;  // iat; exp is one hour later, Google's maximum
  std::string key_id;     // the header's kid; left out when empty
};

// header.claims.signature; false when signing fails.
bool make_jwt(const JwtClaims& claims, const RsaSigner& signer, std::string* jwt);

}  // namespace sluice::providers::auth
