// Test scaffolding for the upstream client tests (see upstream_test_support.h).

#include "test/unit/upstream/upstream_test_support.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace sluice::upstream::test {

// ---- Loop ------------------------------------------------------------------------------------

Loop::Loop() : base_(event_base_new()) {}

Loop::~Loop() {
  event_base_free(base_);
}

bool Loop::run_until(const std::function<bool()>& done, int timeout_ms) {
  // A ticking timer bounds each blocking wait, so `done` and the deadline are checked often.
  event* tick = event_new(
      base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
  const timeval five_ms{0, 5000};
  event_add(tick, &five_ms);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool ok = done();
  while (!ok && std::chrono::steady_clock::now() < deadline) {
    event_base_loop(base_, EVLOOP_ONCE);
    ok = done();
  }
  event_free(tick);
  return ok;
}

void Loop::run_for(int ms) {
  run_until([] { return false; }, ms);
}

// ---- Recorder --------------------------------------------------------------------------------

void Recorder::on_upstream_headers(int status_code, http::Headers received) {
  events.push_back("headers");
  ++header_calls;
  status = status_code;
  headers = std::move(received);
  if (on_headers_hook) on_headers_hook();
}

void Recorder::on_upstream_body(std::string_view data) {
  events.push_back("body");
  chunks.emplace_back(data);
  if (on_body_hook) on_body_hook(data);
}

void Recorder::on_upstream_complete() {
  events.push_back("complete");
  ++completed;
  finished_at = std::chrono::steady_clock::now();
  if (on_complete_hook) on_complete_hook();
}

void Recorder::on_upstream_failure(runtime::UpstreamFailure kind, std::string reason) {
  events.push_back("failure");
  ++failed;
  failure_kind = kind;
  failure_reason = std::move(reason);
  finished_at = std::chrono::steady_clock::now();
  if (on_failure_hook) on_failure_hook();
}

std::string Recorder::body() const {
  std::string all;
  for (const std::string& chunk : chunks) all += chunk;
  return all;
}

// ---- Origin ----------------------------------------------------------------------------------

namespace {

int number_at(std::string_view path, size_t index) {
  // The index-th '/'-separated segment of `path` as a number (segment 0 is the first name).
  size_t start = 1;
  for (size_t i = 0; i < index; ++i) {
    start = path.find('/', start);
    if (start == std::string_view::npos) return 0;
    ++start;
  }
  const size_t end = path.find('/', start);
  return std::atoi(std::string(path.substr(start, end - start)).c_str());
}

timeval ms_to_tv(int ms) {
  return timeval{ms / 1000, (ms % 1000) * 1000};
}

class OriginExchange : public http::Exchange {
 public:
  enum class Kind { done, delay, stream, hang };
  OriginExchange(event_base* base, Origin& origin, http::ResponseSink& sink, Kind kind, int count,
                 int gap_ms)
      : origin_(origin), sink_(sink), kind_(kind), count_(count), gap_ms_(gap_ms) {
    if (kind_ == Kind::delay || kind_ == Kind::stream) {
      timer_ = evtimer_new(base, &OriginExchange::fire, this);
      const timeval tv = ms_to_tv(gap_ms_);
      evtimer_add(timer_, &tv);
    }
  }
  ~OriginExchange() override {
    if (timer_ != nullptr) event_free(timer_);
  }
  void on_abort() override {
    ++origin_.aborted;
    if (timer_ != nullptr) evtimer_del(timer_);
  }

 private:
  static void fire(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<OriginExchange*>(arg);
    if (self->kind_ == Kind::delay) {
      http::ResponseHead head;
      self->sink_.send_whole(std::move(head), "delayed");
      return;
    }
    const bool last = self->next_ + 1 >= self->count_;
    self->sink_.send_body("piece-" + std::to_string(self->next_) + "\n", last);
    ++self->next_;
    ++self->origin_.pieces_sent;
    if (!last) {
      const timeval tv = ms_to_tv(self->gap_ms_);
      evtimer_add(self->timer_, &tv);
    }
  }

  Origin& origin_;
  http::ResponseSink& sink_;
  Kind kind_;
  int count_;
  int gap_ms_;
  int next_ = 1;  // piece 0 goes out with the head
  event* timer_ = nullptr;
};

}  // namespace

Origin::Origin(event_base* base, SSL_CTX* tls, http::ServerLimits limits)
    : base_(base), tls_(tls != nullptr) {
  http::ListenerOptions options;
  options.tls = tls;
  options.limits = limits;
  std::string error;
  listener_ = http::Listener::create(
      base, options, [this]() -> http::RequestHandler& { return *this; }, &error);
  if (listener_) {
    port_ = listener_->port();
  } else {
    ADD_FAILURE() << "origin listener: " << error;
  }
}

Origin::~Origin() {
  listener_.reset();
}

std::string Origin::url(std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

std::unique_ptr<http::Exchange> Origin::start(http::Request request, http::ResponseSink& sink) {
  using Kind = OriginExchange::Kind;
  requests.push_back(request);
  peers.insert(request.peer);
  const std::string& path = request.path;
  const auto make = [&](Kind kind, int count, int gap) {
    return std::make_unique<OriginExchange>(base_, *this, sink, kind, count, gap);
  };
  if (path == "/hang") return make(Kind::hang, 0, 0);
  if (path.rfind("/delay/", 0) == 0) return make(Kind::delay, 0, number_at(path, 1));
  if (path.rfind("/stream/", 0) == 0) {
    const int pieces = number_at(path, 1);
    http::ResponseHead head;
    head.headers.push_back({"content-type", "text/event-stream"});
    sink.send_head(std::move(head), false);
    sink.send_body("piece-0\n", pieces <= 1);
    ++pieces_sent;
    return make(pieces <= 1 ? Kind::done : Kind::stream, pieces, number_at(path, 2));
  }
  if (path == "/short") {
    http::ResponseHead head;
    head.headers.push_back({"content-length", "100"});
    sink.send_head(std::move(head), false);
    sink.send_body("0123456789", true);  // 90 bytes short: the server closes the connection
    return make(Kind::done, 0, 0);
  }
  if (path.rfind("/headers/", 0) == 0) {
    const int count = number_at(path, 1);
    const int size = number_at(path, 2);
    http::ResponseHead head;
    for (int i = 0; i < count; ++i) {
      head.headers.push_back(
          {"x-h" + std::to_string(i), std::string(static_cast<size_t>(size), 'v')});
    }
    sink.send_whole(std::move(head), "ok");
    return make(Kind::done, 0, 0);
  }
  if (path.rfind("/status/", 0) == 0) {
    http::ResponseHead head;
    head.status = number_at(path, 1);
    sink.send_head(std::move(head), true);
    return make(Kind::done, 0, 0);
  }
  http::ResponseHead head;
  head.headers.push_back({"content-type", "text/plain"});
  head.headers.push_back({"x-test", "yes"});
  sink.send_whole(std::move(head), request.method + " " + request.target + "\n" + request.body);
  return make(Kind::done, 0, 0);
}

// ---- RawServer -------------------------------------------------------------------------------

namespace {

struct RawConnection {
  RawServer* server;
  std::vector<std::string>* heads;
  std::string input;
  bool answered = false;
};

void raw_free(bufferevent* bev, void* arg) {
  delete static_cast<RawConnection*>(arg);
  bufferevent_free(bev);
}

void raw_read(bufferevent* bev, void* arg) {
  auto* connection = static_cast<RawConnection*>(arg);
  evbuffer* in = bufferevent_get_input(bev);
  const size_t n = evbuffer_get_length(in);
  std::string data(n, '\0');
  evbuffer_remove(in, data.data(), n);
  if (connection->answered) return;
  connection->input += data;
  const size_t end = connection->input.find("\r\n\r\n");
  if (end == std::string::npos) return;
  connection->heads->push_back(connection->input.substr(0, end + 4));
  connection->answered = true;
  const std::string& response = connection->server->response;
  bufferevent_write(bev, response.data(), response.size());
  // Close once written.
  bufferevent_setcb(
      bev, nullptr, [](bufferevent* b, void* a) { raw_free(b, a); },
      [](bufferevent* b, short, void* a) { raw_free(b, a); }, arg);
}

void raw_event(bufferevent* bev, short, void* arg) {
  raw_free(bev, arg);
}

}  // namespace

RawServer::RawServer(event_base* base) : base_(base) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  listener_ = evconnlistener_new_bind(base, &RawServer::accept_cb, this,
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
                                      reinterpret_cast<sockaddr*>(&address), sizeof(address));
  if (listener_ == nullptr) {
    ADD_FAILURE() << "raw server: cannot listen";
    return;
  }
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.sin_port);
}

RawServer::~RawServer() {
  if (listener_ != nullptr) evconnlistener_free(listener_);
}

void RawServer::accept_cb(evconnlistener*, int fd, sockaddr*, int, void* arg) {
  auto* self = static_cast<RawServer*>(arg);
  bufferevent* bev = bufferevent_socket_new(self->base_, fd, BEV_OPT_CLOSE_ON_FREE);
  auto* connection = new RawConnection{self, &self->heads, {}, false};
  bufferevent_setcb(bev, raw_read, nullptr, raw_event, connection);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

// ---- ports -----------------------------------------------------------------------------------

namespace {

int bound_loopback_socket(uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

uint16_t closed_port() {
  uint16_t port = 0;
  ::close(bound_loopback_socket(&port));
  return port;
}

FullBacklogPort::FullBacklogPort() {
  listen_fd_ = bound_loopback_socket(&port_);
  ::listen(listen_fd_, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port_);
  // Backlog 0 still queues one connection; the next handshakes are dropped by the kernel.
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    clients_.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

FullBacklogPort::~FullBacklogPort() {
  for (const int fd : clients_) ::close(fd);
  ::close(listen_fd_);
}

// ---- TempCert --------------------------------------------------------------------------------

TempCert::TempCert() {
  char pattern[] = "/tmp/sluice-upstream-test-XXXXXX";
  dir = ::mkdtemp(pattern);
  cert_file = dir + "/cert.pem";
  key_file = dir + "/key.pem";

  EVP_PKEY* key = EVP_EC_gen("P-256");
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
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new_file(cert_file.c_str(), "w");
  PEM_write_bio_X509(bio, cert);
  BIO_free(bio);
  bio = BIO_new_file(key_file.c_str(), "w");
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TempCert::~TempCert() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// ---- environment -----------------------------------------------------------------------------

ScopedEnv::ScopedEnv(const char* name, const char* value) : name_(name) {
  if (const char* old = std::getenv(name)) {
    had_ = true;
    old_ = old;
  }
  if (value != nullptr) {
    ::setenv(name, value, 1);
  } else {
    ::unsetenv(name);
  }
}

ScopedEnv::~ScopedEnv() {
  if (had_) {
    ::setenv(name_.c_str(), old_.c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

void clear_proxy_environment() {
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
    ::unsetenv(name);
  }
}

}  // namespace sluice::upstream::test
