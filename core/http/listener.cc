// The listening socket: bind with SO_REUSEPORT, accept into Connections (plain or TLS), the
// per-listener connection cap, and drain.

#include "core/http/listener.h"

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "core/http/io_activity.h"
#include "core/observability/log.h"

namespace sluice::http {
namespace {

constexpr timeval kAcceptRetryDelay{0, 100 * 1000};

std::string peer_text(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "unknown";
}

// Fills `storage` from an IP literal; false when `text` is not one.
bool parse_address(std::string text, uint16_t port, sockaddr_storage* storage, socklen_t* length) {
  std::memset(storage, 0, sizeof(*storage));
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(storage);
  if (inet_pton(AF_INET, text.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    *length = sizeof(sockaddr_in);
    return true;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(storage);
  if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    *length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

std::unique_ptr<Listener> Listener::create(event_base* base, const ListenerOptions& options,
                                           HandlerProvider handler, std::string* error) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });

  const auto fail = [&](std::string message) -> std::unique_ptr<Listener> {
    if (error != nullptr) *error = std::move(message);
    return nullptr;
  };
  sockaddr_storage address;
  socklen_t address_length = 0;
  if (!parse_address(options.address, options.port, &address, &address_length)) {
    return fail("listen address '" + options.address + "' is not an IPv4 or IPv6 literal");
  }
  const std::string where = options.address + ":" + std::to_string(options.port);
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(errno_text("socket"));
  const int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
      (address.ss_family == AF_INET6 &&
       ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)) {
    std::string message = errno_text("setsockopt");
    ::close(fd);
    return fail(message);
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), address_length) != 0) {
    std::string message = errno_text(("bind " + where).c_str());
    ::close(fd);
    return fail(message);
  }
  if (::listen(fd, options.backlog > 0 ? options.backlog : 1024) != 0) {
    std::string message = errno_text(("listen " + where).c_str());
    ::close(fd);
    return fail(message);
  }
  sockaddr_storage bound;
  socklen_t bound_length = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) {
    std::string message = errno_text("getsockname");
    ::close(fd);
    return fail(message);
  }

  std::unique_ptr<Listener> listener(new Listener(base, options, std::move(handler)));
  listener->port_ =
      ntohs(bound.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  // backlog 0: the socket is already listening.
  listener->listener_ = evconnlistener_new(base, &Listener::accept_cb, listener.get(),
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
  if (listener->listener_ == nullptr) {
    ::close(fd);
    return fail("evconnlistener_new failed for " + where);
  }
  evconnlistener_set_error_cb(listener->listener_, &Listener::accept_error_cb);
  return listener;
}

Listener::Listener(event_base* base, const ListenerOptions& options, HandlerProvider handler)
    : base_(base), options_(options), handler_(std::move(handler)) {
  retry_ev_ = evtimer_new(base_, &Listener::retry_cb, this);
}

Listener::~Listener() {
  if (listener_ != nullptr) evconnlistener_free(listener_);
  event_free(retry_ev_);
  // Destroying a connection aborts its in-flight exchange; take them out of the map first so
  // nothing re-enters it.
  auto connections = std::move(connections_);
  connections_.clear();
  connections.clear();
}

void Listener::close() {
  if (closed_) return;
  closed_ = true;
  evtimer_del(retry_ev_);
  if (listener_ != nullptr) {
    evconnlistener_free(listener_);  // closes the listening socket
    listener_ = nullptr;
  }
}

size_t Listener::in_flight_count() const {
  size_t count = 0;
  for (const auto& entry : connections_) {
    if (entry.second->in_flight()) ++count;
  }
  return count;
}

size_t Listener::idle_count() const {
  size_t count = 0;
  for (const auto& entry : connections_) {
    if (entry.second->idle()) ++count;
  }
  return count;
}

size_t Listener::close_idle_connections() {
  // Closing only schedules the removal from the map (on_connection_closed), so iterating is safe.
  size_t count = 0;
  for (const auto& entry : connections_) {
    if (entry.second->idle()) {
      entry.second->close();
      ++count;
    }
  }
  return count;
}

void Listener::drain() {
  close();
  for (const auto& entry : connections_) entry.second->drain();
}

void Listener::close_all_connections() {
  for (const auto& entry : connections_) entry.second->close();
}

void Listener::accept_cb(evconnlistener*, int fd, sockaddr* address, int length, void* arg) {
  io_activity::note();
  static_cast<Listener*>(arg)->on_accept(fd, address, length);
}

void Listener::accept_error_cb(evconnlistener*, void* arg) {
  // Typically EMFILE/ENFILE: the pending connection stays in the backlog. Back off instead of
  // spinning on a socket that keeps reporting readable.
  auto* self = static_cast<Listener*>(arg);
  log::warn("accept failed; pausing the listener for 100 ms",
            {{"error", std::strerror(errno)}, {"port", static_cast<int>(self->port_)}});
  self->error_backoff_ = true;
  self->update_accepting();
  evtimer_add(self->retry_ev_, &kAcceptRetryDelay);
}

void Listener::retry_cb(int, short, void* arg) {
  auto* self = static_cast<Listener*>(arg);
  self->error_backoff_ = false;
  self->update_accepting();
}

void Listener::on_accept(int fd, const sockaddr* address, int) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const int flags = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;
  bufferevent* bev = nullptr;
  if (options_.tls != nullptr) {
    SSL* ssl = SSL_new(options_.tls);
    if (ssl != nullptr) {
      bev = bufferevent_openssl_socket_new(base_, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, flags);
      if (bev == nullptr) SSL_free(ssl);
    }
    // A TCP close without close_notify is an ordinary end of stream, not an error.
    if (bev != nullptr) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  } else {
    bev = bufferevent_socket_new(base_, fd, flags);
  }
  if (bev == nullptr) {  // out of memory: nothing to serve it with
    ::close(fd);
    return;
  }
  auto connection = std::make_unique<Connection>(
      bev, handler_(), options_.limits, peer_text(address), options_.tls != nullptr,
      [this](Connection& closed) { on_connection_closed(closed); });
  Connection* raw = connection.get();
  connections_.emplace(raw, std::move(connection));
  update_accepting();
  raw->start();
}

void Listener::on_connection_closed(Connection& connection) {
  connections_.erase(&connection);  // destroys it
  update_accepting();
}

void Listener::update_accepting() {
  if (listener_ == nullptr) return;
  const bool want = !closed_ && !error_backoff_ &&
                    connections_.size() < options_.limits.max_connections_per_worker;
  if (want && paused_) {
    evconnlistener_enable(listener_);
    paused_ = false;
  } else if (!want && !paused_) {
    evconnlistener_disable(listener_);
    paused_ = true;
  }
}

}  // namespace sluice::http
