#pragma once
// A raw-socket HTTP/1.1 client for tests: sends exact bytes, reads exactly what comes back and
// parses it strictly (status line, headers, Content-Length / chunked / close-delimited bodies,
// interim 1xx responses), and can tell a closed connection from a quiet one. A TLS variant does
// the same over OpenSSL. Every read is bounded by a deadline.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::it {

struct Response {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  bool chunked = false;

  // First value of `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  size_t header_count(std::string_view name) const;
  // The response says the connection closes after it.
  bool closes() const;
};

enum class Parse { complete, incomplete, invalid };

// Parses one response from the front of `data`. `eof`: no more bytes will come (a body without
// framing then ends here). `head`: the request was HEAD (no body). On complete, *consumed is the
// number of bytes used. On invalid, *error says why.
Parse parse_response(std::string_view data, bool eof, bool head, Response* out, size_t* consumed,
                     std::string* error);

// The OpenAI error object: {"error":{"message":<string>,"type":<string>,"param":...,"code":...}}
// with exactly those four members. Empty when `body` is one; else what is wrong.
std::string openai_error_problem(std::string_view body);

class Client {
 public:
  Client() = default;
  ~Client();
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects to 127.0.0.1:port. ok() tells whether it worked; error() why not.
  static Client connect(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // Connects and reports the errno of the failure (0 on success); for "refused" checks.
  static int connect_errno(uint16_t port, std::chrono::milliseconds timeout);

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }

  // Sends every byte (MSG_NOSIGNAL). False when the connection broke.
  bool send(std::string_view bytes);
  // Reads one response (a 1xx interim response is returned on its own).
  std::optional<Response> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                        bool head = false);
  // Waits until the peer closes (EOF or reset). Bytes that arrive before the close (and were not
  // consumed by read_response) are appended to *extra. False when still open after `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout, std::string* extra = nullptr);
  // True when nothing arrives for `quiet` and the connection stays open.
  bool stays_quiet(std::chrono::milliseconds quiet);
  // Bytes received and not yet parsed.
  const std::string& pending() const { return buffer_; }
  // Closes with a reset (SO_LINGER 0), as a client that gives up abruptly.
  void reset();
  void close();

 private:
  enum class Fill { data, eof, timeout, error };
  Fill fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
  std::string error_;
};

// One request on a fresh connection; the response, or nullopt (with a reason in *error).
std::optional<Response> roundtrip(uint16_t port, std::string_view raw,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                  std::string* error = nullptr);

// "GET path HTTP/1.1" with Host and the given extra header lines ("name: value").
std::string get_request(std::string_view path, const std::vector<std::string>& headers = {},
                        std::string_view method = "GET");
// A request with a Content-Length body.
std::string body_request(std::string_view method, std::string_view path, std::string_view body,
                         const std::vector<std::string>& headers = {});

// GET on the admin port; the response or nullopt.
std::optional<Response> admin_get(uint16_t admin_port, std::string_view path);

// Sum of the samples of metric `name` whose labels include every pair in `labels`; nullopt when
// no sample matches. Parses the Prometheus text format line by line.
std::optional<double> metric_sum(std::string_view text, std::string_view name,
                                 const std::map<std::string, std::string>& labels = {});

// A TLS client connection: connects, handshakes (no certificate verification: the test made the
// certificate), sends and reads responses like Client.
class TlsClient {
 public:
  TlsClient() = default;
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // max_version: e.g. TLS1_2_VERSION to offer nothing newer; 0 for the library's best.
  bool connect(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5),
               int max_version = 0);
  const std::string& error() const { return error_; }
  bool send(std::string_view bytes);
  std::optional<Response> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The negotiated protocol ("TLSv1.3"), after connect.
  std::string protocol() const;
  // The server certificate's subject CN, after connect.
  std::string peer_common_name() const;

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  bool eof_ = false;
  std::string error_;
};

// Writes a fresh self-signed certificate (CN=`common_name`, SAN DNS:localhost and IP:127.0.0.1)
// and its private key as PEM files. False (with *error) on failure.
bool make_self_signed(const std::string& cert_path, const std::string& key_path,
                      const std::string& common_name, std::string* error);

}  // namespace sluice::it
