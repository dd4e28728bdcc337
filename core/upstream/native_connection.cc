// A non-blocking upstream TCP connection with one persistent event (see native_connection.h).

#include "core/upstream/native_connection.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/http/io_activity.h"
#include "core/http/loop_clock.h"
#include "core/http/socket_io.h"

namespace sluice::upstream {

std::unique_ptr<NativeConnection> NativeConnection::open(event_base* base,
                                                         const SocketAddress& address,
                                                         std::string key, ConnectionOwner* owner,
                                                         int* error_number) {
  const int fd =
      ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    *error_number = errno;
    return nullptr;
  }
  // Requests leave in one send; without this the tail of a large one could wait for an ACK.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
      errno != EINPROGRESS) {
    *error_number = errno;
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<NativeConnection> connection(
      new NativeConnection(base, fd, std::move(key), owner));
  if (connection->event_ == nullptr) {
    *error_number = ENOMEM;
    return nullptr;
  }
  // Connected at once or not: writability reports it either way.
  connection->watch(false, true);
  return connection;
}

NativeConnection::NativeConnection(event_base* base, int fd, std::string key,
                                   ConnectionOwner* owner)
    : base_(base), fd_(fd), key_(std::move(key)), owner_(owner) {
  event_ = event_new(base_, fd_, EV_PERSIST, &NativeConnection::on_event, this);
}

NativeConnection::~NativeConnection() {
  if (event_ != nullptr) event_free(event_);
  ::close(fd_);
}

void NativeConnection::watch(bool read, bool write) {
  const short wanted = static_cast<short>((read ? EV_READ : 0) | (write ? EV_WRITE : 0));
  if (wanted == watching_) return;
  event_del(event_);
  event_assign(event_, base_, fd_, static_cast<short>(wanted | EV_PERSIST),
               &NativeConnection::on_event, this);
  if (wanted != 0) event_add(event_, nullptr);
  watching_ = wanted;
}

int NativeConnection::connect_error() const {
  int error = 0;
  socklen_t length = sizeof(error);
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

ssize_t NativeConnection::send(const char* data, size_t length) {
  return http::socket_send(fd_, data, length, MSG_NOSIGNAL);
}

ssize_t NativeConnection::receive(char* buffer, size_t length) {
  return http::socket_receive(fd_, buffer, length, 0);
}

void NativeConnection::on_event(int, short what, void* arg) {
  http::LoopClock::Scope clock;
  http::io_activity::note();  // for the worker's busy poll (core/http/io_activity.h)
  // Nothing may touch the connection after this: the owner may have destroyed it.
  auto* self = static_cast<NativeConnection*>(arg);
  self->owner_->on_connection_ready(*self, what);
}

}  // namespace sluice::upstream
