// Builds the server SSL_CTX from PEM files, with clear error messages.

#include "core/http/tls_context.h"

#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sluice::http {
namespace {

// The most recent OpenSSL error as text (and clears the queue), or "" when there is none.
std::string openssl_error() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "";
  char buffer[256];
  ERR_error_string_n(last, buffer, sizeof(buffer));
  return buffer;
}

// Checks that `path` can be opened for reading; otherwise a sentence naming it.
bool readable(const std::string& path, const char* what, std::string* error) {
  if (path.empty()) {
    *error = std::string(what) + " file is not set";
    return false;
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = "cannot open " + std::string(what) + " file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::fclose(file);
  return true;
}

int select_http11(SSL*, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* in, unsigned int in_length, void*) {
  // Wire format: length-prefixed protocol names. Only HTTP/1.1 is spoken here.
  for (unsigned int i = 0; i < in_length;) {
    const unsigned int length = in[i];
    if (i + 1 + length > in_length) break;
    if (length == 8 && std::memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;  // no ALPN agreed: the client gets plain HTTP/1.1 anyway
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::create(const TlsOptions& options, std::string* error) {
  std::string message;
  const auto fail = [&](std::string text) -> std::unique_ptr<TlsContext> {
    if (error != nullptr) *error = std::move(text);
    return nullptr;
  };
  int min_version = TLS1_2_VERSION;
  if (options.min_version == "1.3") {
    min_version = TLS1_3_VERSION;
  } else if (!options.min_version.empty() && options.min_version != "1.2") {
    return fail("unsupported TLS min_version '" + options.min_version +
                "' (use \"1.2\" or \"1.3\")");
  }
  if (!readable(options.cert_file, "certificate", &message)) return fail(message);
  if (!readable(options.key_file, "private key", &message)) return fail(message);

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return fail("cannot create TLS context: " + openssl_error());
  std::unique_ptr<TlsContext> context(new TlsContext(ctx));

  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1) {
    return fail("cannot set the TLS minimum version: " + openssl_error());
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);  // bufferevents move their buffers
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    return fail("cannot load certificate chain from '" + options.cert_file +
                "': " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string detail = openssl_error();
    if (detail.find("key values mismatch") != std::string::npos) {
      return fail("private key '" + options.key_file + "' does not match certificate '" +
                  options.cert_file + "'");
    }
    return fail("cannot load private key from '" + options.key_file + "': " + detail);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return fail("private key '" + options.key_file + "' does not match certificate '" +
                options.cert_file + "'");
  }
  SSL_CTX_set_alpn_select_cb(ctx, &select_http11, nullptr);
  return context;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

}  // namespace sluice::http
