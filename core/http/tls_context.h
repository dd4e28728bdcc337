#pragma once
// The server-side TLS context: an OpenSSL SSL_CTX built from a PEM certificate chain and a PEM
// private key, TLS 1.2 or newer (1.3 only on request), ALPN "http/1.1". Errors are reported as
// readable sentences (missing file, unreadable PEM, key not matching the certificate).

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace sluice::http {

struct TlsOptions {
  std::string cert_file;    // PEM certificate chain, leaf first
  std::string key_file;     // PEM private key
  std::string min_version;  // "1.2" (also when empty) or "1.3"
};

class TlsContext {
 public:
  // nullptr and a message in *error when the context cannot be built.
  static std::unique_ptr<TlsContext> create(const TlsOptions& options, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // For ListenerOptions::tls; owned by this object.
  SSL_CTX* native() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

}  // namespace sluice::http
