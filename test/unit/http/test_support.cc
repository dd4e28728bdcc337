// Test scaffolding: loop thread, scripted handler, blocking clients, run-time certificates.

#include "test/unit/http/test_support.h"

#include <arpa/inet.h>
#include <event2/thread.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "core/http/flow_control.h"

namespace sluice::http::test {

// ---- LoopThread ------------------------------------------------------------------------------

LoopThread::LoopThread() {
  static std::once_flag once;
  std::call_once(once, [] {
    evthread_use_pthreads();
    std::signal(SIGPIPE, SIG_IGN);
  });
  base_ = event_base_new();
  thread_ = std::thread([this] { event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY); });
}

LoopThread::~LoopThread() {
  run([this] { event_base_loopbreak(base_); });
  thread_.join();
  event_base_free(base_);
}

void LoopThread::run(const std::function<void()>& fn) {
  struct Task {
    const std::function<void()>* fn = nullptr;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
  } task;
  task.fn = &fn;
  const timeval now{0, 0};
  event_base_once(
      base_, -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* arg) {
        auto* t = static_cast<Task*>(arg);
        (*t->fn)();
        std::lock_guard<std::mutex> lock(t->mutex);
        t->done = true;
        t->cv.notify_one();
      },
      &task, &now);
  std::unique_lock<std::mutex> lock(task.mutex);
  task.cv.wait(lock, [&] { return task.done; });
}

// ---- ScriptedHandler -------------------------------------------------------------------------

namespace {

enum class Kind { done, delay, stream, hang, flood };

constexpr size_t kFloodPiece = 16 * 1024;
constexpr size_t kFloodHighWater = 64 * 1024;

class ScriptedExchange : public Exchange, public ResponseDrainListener {
 public:
  ScriptedExchange(event_base* base, HandlerStats* stats, ResponseSink& sink, Kind kind, int param,
                   std::string target)
      : stats_(stats), sink_(sink), kind_(kind), param_(param), target_(std::move(target)) {
    if (kind_ == Kind::delay || kind_ == Kind::stream) {
      timer_ = evtimer_new(base, &ScriptedExchange::fire, this);
      const timeval tv{param_ / 1000, (param_ % 1000) * 1000};
      const timeval five_ms{0, 5000};
      evtimer_add(timer_, kind_ == Kind::delay ? &tv : &five_ms);
    }
  }
  ~ScriptedExchange() override {
    if (in_sink_call_) ++stats_->misuse;
    if (timer_ != nullptr) event_free(timer_);
    ++stats_->destroyed;
  }
  void on_abort() override {
    if (aborted_) ++stats_->misuse;
    aborted_ = true;
    ++stats_->aborted;
    if (timer_ != nullptr) {
      event_free(timer_);
      timer_ = nullptr;
    }
  }
  void on_response_drained() override {
    ++stats_->drained;
    if (kind_ == Kind::flood) pump();
  }
  // Kind::flood: writes param_ pieces of kFloodPiece bytes, pausing above kFloodHighWater.
  void pump() {
    in_sink_call_ = true;
    while (piece_ < param_ && sink_.buffered_bytes() <= kFloodHighWater) {
      ++piece_;
      sink_.send_body(std::string(kFloodPiece, static_cast<char>('a' + piece_ % 26)),
                      piece_ == param_);
    }
    in_sink_call_ = false;
  }

 private:
  static void fire(evutil_socket_t, short, void* arg) {
    static_cast<ScriptedExchange*>(arg)->on_fire();
  }
  void on_fire() {
    if (aborted_) {
      ++stats_->misuse;
      return;
    }
    in_sink_call_ = true;
    if (kind_ == Kind::delay) {
      ResponseHead head;
      head.headers.push_back({"content-type", "text/plain"});
      sink_.send_whole(std::move(head), "delayed " + target_);
    } else {
      const bool last = piece_ + 1 >= param_;
      sink_.send_body("piece-" + std::to_string(piece_) + "\n", last);
      ++piece_;
      if (!last) {
        const timeval five_ms{0, 5000};
        evtimer_add(timer_, &five_ms);
      }
    }
    in_sink_call_ = false;
  }

  HandlerStats* stats_;
  ResponseSink& sink_;
  Kind kind_;
  int param_;
  std::string target_;
  event* timer_ = nullptr;
  int piece_ = 0;
  bool aborted_ = false;
  bool in_sink_call_ = false;
};

int number_after(std::string_view path, std::string_view prefix) {
  return std::atoi(std::string(path.substr(prefix.size())).c_str());
}

}  // namespace

std::unique_ptr<Exchange> ScriptedHandler::start(Request request, ResponseSink& sink) {
  ++stats_->started;
  last_request = request;
  const std::string& path = request.path;
  const auto make = [&](Kind kind, int param) {
    return std::make_unique<ScriptedExchange>(base_, stats_, sink, kind, param, request.target);
  };
  if (path == "/hang") return make(Kind::hang, 0);
  if (path.rfind("/delay/", 0) == 0) return make(Kind::delay, number_after(path, "/delay/"));
  if (path.rfind("/stream/", 0) == 0) {
    const int pieces = number_after(path, "/stream/");
    ResponseHead head;
    head.headers.push_back({"content-type", "text/event-stream"});
    sink.send_head(std::move(head), pieces == 0);
    return make(pieces == 0 ? Kind::done : Kind::stream, pieces);
  }
  if (path == "/sync-stream") {
    sink.send_head(ResponseHead{}, false);
    sink.send_body("one,", false);
    sink.send_body("two,", false);
    sink.send_body("three", true);
    return make(Kind::done, 0);
  }
  if (path.rfind("/length/", 0) == 0) {
    const int n = number_after(path, "/length/");
    ResponseHead head;
    head.headers.push_back({"Content-Length", std::to_string(n)});
    sink.send_head(std::move(head), false);
    sink.send_body(std::string(static_cast<size_t>(n / 2), 'x'), false);
    sink.send_body(std::string(static_cast<size_t>(n - n / 2), 'x'), true);
    return make(Kind::done, 0);
  }
  if (path.rfind("/flood/", 0) == 0) {
    sink.send_head(ResponseHead{}, false);
    auto exchange = make(Kind::flood, number_after(path, "/flood/"));
    exchange->pump();
    return exchange;
  }
  if (path == "/unanswered") return nullptr;
  if (path == "/throw") throw std::runtime_error("handler failed");
  if (path.rfind("/status/", 0) == 0) {
    ResponseHead head;
    head.status = number_after(path, "/status/");
    sink.send_head(std::move(head), true);
    return nullptr;
  }
  if (path.rfind("/big/", 0) == 0) {
    sink.send_whole(ResponseHead{},
                    std::string(static_cast<size_t>(number_after(path, "/big/")), 'b'));
    return make(Kind::done, 0);
  }
  ResponseHead head;
  head.headers.push_back({"content-type", "text/plain"});
  head.headers.push_back({"x-started", std::to_string(stats_->started.load())});
  sink.send_whole(std::move(head), request.method + " " + request.target + "\n" + request.body);
  return make(Kind::done, 0);
}

ServerLimits test_limits() {
  ServerLimits limits;
  limits.header_timeout_ms = 3000;
  limits.body_idle_timeout_ms = 3000;
  limits.keepalive_idle_timeout_ms = 5000;
  return limits;
}

// ---- TestServer ------------------------------------------------------------------------------

TestServer::TestServer(ServerLimits limits, SSL_CTX* tls, std::string address)
    : loop_(std::make_unique<LoopThread>()) {
  loop_->run([&] {
    handler_ = std::make_unique<ScriptedHandler>(loop_->base(), &stats_);
    ListenerOptions options;
    options.address = address;
    options.limits = limits;
    options.tls = tls;
    std::string error;
    ScriptedHandler* handler = handler_.get();
    listener_ = Listener::create(
        loop_->base(), options, [handler]() -> RequestHandler& { return *handler; }, &error);
    if (listener_) {
      port_ = listener_->port();
    } else {
      ADD_FAILURE() << "listener: " << error;
    }
  });
}

TestServer::~TestServer() {
  loop_->run([&] {
    listener_.reset();
    handler_.reset();
  });
  loop_.reset();
}

void TestServer::with_listener(const std::function<void(Listener&)>& fn) {
  loop_->run([&] { fn(*listener_); });
}

size_t TestServer::connection_count() {
  size_t count = 0;
  with_listener([&](Listener& listener) { count = listener.connection_count(); });
  return count;
}

Request TestServer::last_request() {
  Request request;
  loop_->run([&] { request = handler_->last_request; });
  return request;
}

// ---- Client ----------------------------------------------------------------------------------

Client::Client(uint16_t port, const std::string& host, SSL_CTX* tls) : tls_(tls) {
  sockaddr_storage address{};
  socklen_t length = 0;
  auto* in = reinterpret_cast<sockaddr_in*>(&address);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return;
  }
  fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  const timeval five_s{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &five_s, sizeof(five_s));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &five_s, sizeof(five_s));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  if (tls_ != nullptr) {
    ssl_ = SSL_new(tls_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    ERR_clear_error();
    if (SSL_connect(ssl_) != 1) {
      char text[256] = "handshake failed";
      if (const unsigned long code = ERR_peek_last_error(); code != 0) {
        ERR_error_string_n(code, text, sizeof(text));
      }
      tls_error_ = text;
      ERR_clear_error();
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
  }
}

Client::~Client() {
  close();
}

void Client::close() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void Client::reset() {
  if (fd_ < 0) return;
  const linger hard{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  close();
}

void Client::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool Client::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ssl_ != nullptr
                          ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                          : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Client::fill(int timeout_ms) {
  if (fd_ < 0) return false;
  if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
  }
  char data[16384];
  const ssize_t n =
      ssl_ != nullptr ? SSL_read(ssl_, data, sizeof(data)) : ::recv(fd_, data, sizeof(data), 0);
  if (n <= 0) return false;
  buffer_.append(data, static_cast<size_t>(n));
  return true;
}

bool Client::readable_within(int ms) {
  if (!buffer_.empty()) return true;
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

bool Client::read_line(std::string* out) {
  size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (!fill(5000)) return false;
  }
  *out = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return true;
}

bool Client::read_exact(size_t n, std::string* out) {
  while (buffer_.size() < n) {
    if (!fill(5000)) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

std::optional<ClientResponse> Client::read_response(bool head_request) {
  ClientResponse response;
  std::string line;
  if (!read_line(&line) || line.rfind("HTTP/1.1 ", 0) != 0 || line.size() < 12) return std::nullopt;
  response.status = std::atoi(line.substr(9, 3).c_str());
  while (true) {
    if (!read_line(&line)) return std::nullopt;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    Header header{line.substr(0, colon), line.substr(colon + 1)};
    for (char& c : header.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!header.value.empty() && header.value.front() == ' ') header.value.erase(0, 1);
    response.headers.push_back(std::move(header));
  }
  if (response.status < 200 || head_request || response.status == 204 || response.status == 304) {
    return response;
  }
  const std::string* te = response.header("transfer-encoding");
  const std::string* cl = response.header("content-length");
  if (te != nullptr && *te == "chunked") {
    response.chunked = true;
    while (true) {
      if (!read_line(&line)) return std::nullopt;
      const size_t size = std::strtoul(line.c_str(), nullptr, 16);
      if (size == 0) {
        if (!read_line(&line) || !line.empty()) return std::nullopt;
        break;
      }
      if (!read_exact(size, &response.body) || !read_line(&line) || !line.empty()) {
        return std::nullopt;
      }
    }
  } else if (cl != nullptr) {
    if (!read_exact(std::strtoul(cl->c_str(), nullptr, 10), &response.body)) return std::nullopt;
  } else {
    while (fill(5000)) {
    }
    response.body = std::move(buffer_);
    buffer_.clear();
  }
  return response;
}

bool Client::wait_closed(int timeout_ms, std::string* rest) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (rest != nullptr) rest->append(buffer_);
    buffer_.clear();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0 || fd_ < 0) return false;
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    }
    char data[16384];
    const ssize_t n =
        ssl_ != nullptr ? SSL_read(ssl_, data, sizeof(data)) : ::recv(fd_, data, sizeof(data), 0);
    if (n <= 0) return true;  // orderly close (or reset after everything sent was read)
    buffer_.append(data, static_cast<size_t>(n));
  }
}

std::optional<ClientResponse> roundtrip(uint16_t port, std::string_view request) {
  Client client(port);
  if (!client.connected() || !client.send(request)) return std::nullopt;
  return client.read_response();
}

bool is_openai_error(const std::string& body) {
  const std::string_view b = body;
  return b.rfind("{\"error\":{\"message\":\"", 0) == 0 &&
         b.find("\",\"type\":\"") != std::string_view::npos &&
         b.find("\",\"param\":null,\"code\":") != std::string_view::npos && b.size() > 2 &&
         b.substr(b.size() - 2) == "}}";
}

// ---- TempCert --------------------------------------------------------------------------------

namespace {

EVP_PKEY* new_key() {
  return EVP_EC_gen("P-256");
}

bool write_key(EVP_PKEY* key, const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) return false;
  const bool ok = PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  BIO_free(bio);
  return ok;
}

}  // namespace

TempCert::TempCert() {
  char pattern[] = "/tmp/sluice-http-test-XXXXXX";
  dir = ::mkdtemp(pattern);
  cert_file = dir + "/cert.pem";
  key_file = dir + "/key.pem";
  other_key_file = dir + "/other-key.pem";

  EVP_PKEY* key = new_key();
  EVP_PKEY* other = new_key();
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new_file(cert_file.c_str(), "w");
  PEM_write_bio_X509(bio, cert);
  BIO_free(bio);
  write_key(key, key_file);
  write_key(other, other_key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  EVP_PKEY_free(other);
}

TempCert::~TempCert() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace sluice::http::test
