// Raw-socket and TLS HTTP/1.1 test clients, strict response parsing, metrics text parsing and a
// self-signed certificate generator (see http_client.h).

#include "test/integration/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace sluice::it {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHead = 256 * 1024;

char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Non-blocking connect bounded by `timeout`; the socket is blocking again afterwards.
int connect_loopback(uint16_t port, std::chrono::milliseconds timeout, int* error) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 1) {
      int so_error = 0;
      socklen_t len = sizeof(so_error);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0) {
        errno = so_error;
        rc = -1;
      } else {
        rc = 0;
      }
    } else {
      if (rc == 0) errno = ETIMEDOUT;
      rc = -1;
    }
  }
  if (rc != 0) {
    *error = errno;
    ::close(fd);
    return -1;
  }
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval send_timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  *error = 0;
  return fd;
}

// Parses a chunked body starting at data[pos]; on complete, *end is the offset after it.
Parse parse_chunked(std::string_view data, size_t pos, std::string* body, size_t* end,
                    std::string* error) {
  while (true) {
    const size_t line_end = data.find("\r\n", pos);
    if (line_end == std::string_view::npos) return Parse::incomplete;
    std::string_view line = data.substr(pos, line_end - pos);
    line = line.substr(0, line.find(';'));
    if (line.empty() || line.size() > 16 ||
        line.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
      *error = "invalid chunk size line '" + std::string(line) + "'";
      return Parse::invalid;
    }
    const size_t size = std::strtoull(std::string(line).c_str(), nullptr, 16);
    pos = line_end + 2;
    if (size == 0) {
      // Trailers, then an empty line.
      while (true) {
        const size_t trailer_end = data.find("\r\n", pos);
        if (trailer_end == std::string_view::npos) return Parse::incomplete;
        const bool empty = trailer_end == pos;
        pos = trailer_end + 2;
        if (empty) {
          *end = pos;
          return Parse::complete;
        }
      }
    }
    if (data.size() < pos + size + 2) return Parse::incomplete;
    body->append(data.substr(pos, size));
    if (data.substr(pos + size, 2) != "\r\n") {
      *error = "chunk data not followed by CRLF";
      return Parse::invalid;
    }
    pos += size + 2;
  }
}

}  // namespace

// ---- Response ----------------------------------------------------------------------------------

const std::string* Response::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [n, v] : headers) {
    if (n == key) return &v;
  }
  return nullptr;
}

size_t Response::header_count(std::string_view name) const {
  const std::string key = lower(name);
  return static_cast<size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == key; }));
}

bool Response::closes() const {
  const std::string* connection = header("connection");
  return connection && lower(*connection).find("close") != std::string::npos;
}

Parse parse_response(std::string_view data, bool eof, bool head, Response* out, size_t* consumed,
                     std::string* error) {
  const size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (data.size() > kMaxHead) {
      *error = "response head too large";
      return Parse::invalid;
    }
    if (eof) {
      *error = data.empty()
                   ? "connection closed before any response byte"
                   : "connection closed inside a response head: '" + std::string(data) + "'";
      return Parse::invalid;
    }
    return Parse::incomplete;
  }
  Response response;
  std::string_view head_text = data.substr(0, head_end);
  if (head_text.find('\n') != std::string_view::npos) {
    // Every LF must be part of a CRLF.
    for (size_t i = 0; i < head_text.size(); ++i) {
      if (head_text[i] == '\n' && (i == 0 || head_text[i - 1] != '\r')) {
        *error = "bare LF in the response head";
        return Parse::invalid;
      }
    }
  }
  size_t line_end = head_text.find("\r\n");
  std::string_view status_line = head_text.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 9) != "HTTP/1.1 " ||
      status_line.substr(9, 3).find_first_not_of("0123456789") != std::string_view::npos ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    *error = "malformed status line '" + std::string(status_line) + "'";
    return Parse::invalid;
  }
  response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  response.reason = status_line.size() > 13 ? std::string(status_line.substr(13)) : "";
  size_t pos = line_end == std::string_view::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    size_t end = head_text.find("\r\n", pos);
    if (end == std::string_view::npos) end = head_text.size();
    std::string_view line = head_text.substr(pos, end - pos);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(line.begin(), line.begin() + static_cast<long>(colon), is_token_char)) {
      *error = "malformed header line '" + std::string(line) + "'";
      return Parse::invalid;
    }
    response.headers.emplace_back(lower(line.substr(0, colon)),
                                  std::string(trim(line.substr(colon + 1))));
    pos = end + 2;
  }
  const size_t body_start = head_end + 4;
  const bool no_body = head || (response.status >= 100 && response.status < 200) ||
                       response.status == 204 || response.status == 304;
  if (no_body) {
    *consumed = body_start;
    *out = std::move(response);
    return Parse::complete;
  }
  if (response.header_count("transfer-encoding") > 0) {
    if (response.header_count("transfer-encoding") != 1 ||
        lower(*response.header("transfer-encoding")) != "chunked" ||
        response.header_count("content-length") > 0) {
      *error = "unexpected framing: transfer-encoding with content-length, or not chunked";
      return Parse::invalid;
    }
    response.chunked = true;
    size_t end = 0;
    const Parse result = parse_chunked(data, body_start, &response.body, &end, error);
    if (result == Parse::incomplete && eof) {
      *error = "connection closed inside a chunked body";
      return Parse::invalid;
    }
    if (result != Parse::complete) return result;
    *consumed = end;
    *out = std::move(response);
    return Parse::complete;
  }
  if (response.header_count("content-length") > 0) {
    const std::string& text = *response.header("content-length");
    if (response.header_count("content-length") != 1 || text.empty() ||
        text.find_first_not_of("0123456789") != std::string::npos || text.size() > 15) {
      *error = "invalid content-length '" + text + "'";
      return Parse::invalid;
    }
    const size_t length = std::strtoull(text.c_str(), nullptr, 10);
    if (data.size() < body_start + length) {
      if (eof) {
        *error = "connection closed after " + std::to_string(data.size() - body_start) + " of " +
                 std::to_string(length) + " body bytes";
        return Parse::invalid;
      }
      return Parse::incomplete;
    }
    response.body = std::string(data.substr(body_start, length));
    *consumed = body_start + length;
    *out = std::move(response);
    return Parse::complete;
  }
  // Close-delimited.
  if (!eof) return Parse::incomplete;
  response.body = std::string(data.substr(body_start));
  *consumed = data.size();
  *out = std::move(response);
  return Parse::complete;
}

std::string openai_error_problem(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return "not JSON: " + std::string(body);
  if (!doc.IsObject() || doc.MemberCount() != 1 || !doc.HasMember("error")) {
    return "not an object with exactly one member 'error': " + std::string(body);
  }
  const rapidjson::Value& error = doc["error"];
  if (!error.IsObject() || error.MemberCount() != 4) {
    return "'error' is not an object of four members: " + std::string(body);
  }
  if (!error.HasMember("message") || !error["message"].IsString() ||
      error["message"].GetStringLength() == 0) {
    return "error.message missing, empty or not a string: " + std::string(body);
  }
  if (!error.HasMember("type") || !error["type"].IsString() ||
      error["type"].GetStringLength() == 0) {
    return "error.type missing, empty or not a string: " + std::string(body);
  }
  if (!error.HasMember("param") || !(error["param"].IsNull() || error["param"].IsString())) {
    return "error.param missing or neither null nor a string: " + std::string(body);
  }
  if (!error.HasMember("code") || !(error["code"].IsNull() || error["code"].IsString())) {
    return "error.code missing or neither null nor a string: " + std::string(body);
  }
  return "";
}

// ---- Client ------------------------------------------------------------------------------------

Client::~Client() {
  close();
}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      eof_(other.eof_),
      buffer_(std::move(other.buffer_)),
      error_(std::move(other.error_)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    eof_ = other.eof_;
    buffer_ = std::move(other.buffer_);
    error_ = std::move(other.error_);
  }
  return *this;
}

Client Client::connect(uint16_t port, std::chrono::milliseconds timeout) {
  Client client;
  int error = 0;
  client.fd_ = connect_loopback(port, timeout, &error);
  if (client.fd_ < 0) {
    client.error_ = "connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(error);
  }
  return client;
}

int Client::connect_errno(uint16_t port, std::chrono::milliseconds timeout) {
  int error = 0;
  const int fd = connect_loopback(port, timeout, &error);
  if (fd >= 0) ::close(fd);
  return error;
}

bool Client::send(std::string_view bytes) {
  if (fd_ < 0) {
    error_ = "send on a closed client";
    return false;
  }
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Client::Fill Client::fill(Clock::time_point deadline) {
  if (fd_ < 0 || eof_) return Fill::eof;
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return Fill::timeout;
    if (rc < 0) {
      error_ = std::string("poll: ") + std::strerror(errno);
      return Fill::error;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return Fill::data;
    }
    if (n == 0) {
      eof_ = true;
      return Fill::eof;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    eof_ = true;  // a reset ends the stream like a close does
    error_ = std::string("recv: ") + std::strerror(errno);
    return Fill::error;
  }
}

std::optional<Response> Client::read_response(std::chrono::milliseconds timeout, bool head) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    Response response;
    size_t consumed = 0;
    std::string problem;
    const Parse result = parse_response(buffer_, eof_, head, &response, &consumed, &problem);
    if (result == Parse::complete) {
      buffer_.erase(0, consumed);
      return response;
    }
    if (result == Parse::invalid) {
      error_ = problem + (error_.empty() ? "" : " (" + error_ + ")");
      return std::nullopt;
    }
    const Fill fill_result = fill(deadline);
    if (fill_result == Fill::timeout) {
      error_ = "timed out after " + std::to_string(timeout.count()) +
               " ms waiting for a response; got so far: '" + buffer_ + "'";
      return std::nullopt;
    }
  }
}

bool Client::wait_closed(std::chrono::milliseconds timeout, std::string* extra) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_) {
    const Fill result = fill(deadline);
    if (result == Fill::timeout) break;
  }
  if (extra) *extra += buffer_;
  buffer_.clear();
  return eof_;
}

bool Client::stays_quiet(std::chrono::milliseconds quiet) {
  if (eof_ || fd_ < 0) return false;
  const size_t before = buffer_.size();
  const Fill result = fill(Clock::now() + quiet);
  return result == Fill::timeout && buffer_.size() == before;
}

void Client::reset() {
  if (fd_ < 0) return;
  linger option{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  ::close(fd_);
  fd_ = -1;
}

void Client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<Response> roundtrip(uint16_t port, std::string_view raw,
                                  std::chrono::milliseconds timeout, std::string* error) {
  Client client = Client::connect(port, timeout);
  std::optional<Response> response;
  if (client.ok() && client.send(raw)) response = client.read_response(timeout);
  if (!response && error) *error = client.error();
  return response;
}

std::string get_request(std::string_view path, const std::vector<std::string>& headers,
                        std::string_view method) {
  std::string out = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
  out += "Host: localhost\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  out += "\r\n";
  return out;
}

std::string body_request(std::string_view method, std::string_view path, std::string_view body,
                         const std::vector<std::string>& headers) {
  std::string out = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
  out += "Host: localhost\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

std::optional<Response> admin_get(uint16_t admin_port, std::string_view path) {
  return roundtrip(admin_port, get_request(path, {"Connection: close"}), std::chrono::seconds(3));
}

std::optional<double> metric_sum(std::string_view text, std::string_view name,
                                 const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string_view::npos || line.substr(0, name_end) != name) continue;
    std::map<std::string, std::string> found;
    size_t i = name_end;
    if (line[i] == '{') {
      ++i;
      bool ok = true;
      while (i < line.size() && line[i] != '}') {
        const size_t eq = line.find('=', i);
        if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          ok = false;
          break;
        }
        std::string key(line.substr(i, eq - i));
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            ++j;
            value += line[j] == 'n' ? '\n' : line[j];
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) {
          ok = false;
          break;
        }
        found[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (!ok || i >= line.size()) continue;
      ++i;  // '}'
    }
    const bool matches = std::all_of(labels.begin(), labels.end(), [&](const auto& entry) {
      auto it = found.find(entry.first);
      return it != found.end() && it->second == entry.second;
    });
    if (!matches) continue;
    const std::string value(trim(line.substr(i)));
    sum = sum.value_or(0) + std::strtod(value.c_str(), nullptr);
  }
  return sum;
}

// ---- TLS
// -----------------------------------------------------------------------------------------

TlsClient::~TlsClient() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsClient::connect(uint16_t port, std::chrono::milliseconds timeout, int max_version) {
  int error = 0;
  fd_ = connect_loopback(port, timeout, &error);
  if (fd_ < 0) {
    error_ = std::string("connect: ") + std::strerror(error);
    return false;
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) {
    error_ = "SSL_CTX_new failed";
    return false;
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_, max_version);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  if (SSL_connect(ssl_) != 1) {
    char buffer[256];
    ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
    error_ = std::string("TLS handshake failed: ") + buffer;
    return false;
  }
  return true;
}

bool TlsClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) {
      error_ = "SSL_write failed";
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<Response> TlsClient::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    Response response;
    size_t consumed = 0;
    std::string problem;
    const Parse result = parse_response(buffer_, eof_, false, &response, &consumed, &problem);
    if (result == Parse::complete) {
      buffer_.erase(0, consumed);
      return response;
    }
    if (result == Parse::invalid) {
      error_ = problem;
      return std::nullopt;
    }
    if (Clock::now() >= deadline) {
      error_ = "timed out waiting for a TLS response; got so far: '" + buffer_ + "'";
      return std::nullopt;
    }
    char chunk[16384];
    const int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    const int why = SSL_get_error(ssl_, n);
    if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) continue;
    eof_ = true;  // close_notify, or the socket closed / timed out (SO_RCVTIMEO)
  }
}

std::string TlsClient::protocol() const {
  return ssl_ ? SSL_get_version(ssl_) : "";
}

std::string TlsClient::peer_common_name() const {
  if (!ssl_) return "";
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (!cert) return "";
  char buffer[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  X509_free(cert);
  return buffer;
}

bool make_self_signed(const std::string& cert_path, const std::string& key_path,
                      const std::string& common_name, std::string* error) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) {
    *error = "EC key generation failed";
    return false;
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (!san) {
    *error = "building the subjectAltName extension failed";
    return false;
  }
  X509_add_ext(cert.get(), san, -1);
  X509_EXTENSION_free(san);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    *error = "signing the certificate failed";
    return false;
  }
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  if (!cert_file) {
    *error = "cannot write " + cert_path;
    return false;
  }
  const bool cert_ok = PEM_write_X509(cert_file, cert.get()) == 1;
  std::fclose(cert_file);
  const int key_fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE* key_file = key_fd >= 0 ? fdopen(key_fd, "w") : nullptr;
  if (!key_file) {
    if (key_fd >= 0) ::close(key_fd);
    *error = "cannot write " + key_path;
    return false;
  }
  const bool key_ok =
      PEM_write_PrivateKey(key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(key_file);
  if (!cert_ok || !key_ok) {
    *error = "writing the PEM files failed";
    return false;
  }
  return true;
}

}  // namespace sluice::it
