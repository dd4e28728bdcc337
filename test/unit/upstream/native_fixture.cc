// The scripted loopback server of the NativeTransport tests (see native_fixture.h).

#include "test/unit/upstream/native_fixture.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sluice::upstream::test {

struct ScriptServer::Connection {
  ScriptServer* server = nullptr;
  int fd = -1;
  event* read_ev = nullptr;
  event* timer_ev = nullptr;
  std::string input;
  bool running = false;  // a script is under way
  size_t step = 0;
  std::vector<Step> steps;
  std::list<std::unique_ptr<Connection>>::iterator position;
};

namespace {

// Length of the first complete request in `input` (head and Content-Length body), or 0.
size_t request_length(const std::string& input) {
  const size_t end = input.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t body = 0;
  const std::string head = input.substr(0, end);
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = lower.find("\r\ncontent-length:");
  if (at != std::string::npos) body = std::strtoul(head.c_str() + at + 17, nullptr, 10);
  const size_t total = end + 4 + body;
  return input.size() >= total ? total : 0;
}

}  // namespace

ScriptServer::ScriptServer(event_base* base) : base_(base) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ADD_FAILURE() << "script server: cannot listen";
    return;
  }
  socklen_t length = sizeof(address);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  accept_ev_ = event_new(base_, listen_fd_, EV_READ | EV_PERSIST, &ScriptServer::on_accept, this);
  event_add(accept_ev_, nullptr);
}

ScriptServer::~ScriptServer() {
  close_all();
  if (accept_ev_ != nullptr) event_free(accept_ev_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string ScriptServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void ScriptServer::close_all() {
  while (!connections_.empty()) drop(*connections_.front(), false);
}

void ScriptServer::on_accept(int fd, short, void* arg) {
  auto* self = static_cast<ScriptServer*>(arg);
  const int client = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client < 0) return;
  ++self->accepted;
  auto connection = std::make_unique<Connection>();
  Connection& c = *connection;
  c.server = self;
  c.fd = client;
  c.read_ev = event_new(self->base_, client, EV_READ | EV_PERSIST, &ScriptServer::on_readable, &c);
  c.timer_ev = evtimer_new(self->base_, &ScriptServer::on_timer, &c);
  event_add(c.read_ev, nullptr);
  self->connections_.push_back(std::move(connection));
  c.position = std::prev(self->connections_.end());
}

void ScriptServer::on_readable(int, short, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  ScriptServer* self = c->server;
  char buffer[16384];
  const ssize_t n = ::recv(c->fd, buffer, sizeof(buffer), 0);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    ++self->closed_by_client;
    self->drop(*c, false);
    return;
  }
  c->input.append(buffer, static_cast<size_t>(n));
  if (c->running) return;
  const size_t length = request_length(c->input);
  if (length == 0) return;
  self->requests.push_back(c->input.substr(0, length));
  c->input.erase(0, length);
  c->steps = self->script;
  c->step = 0;
  c->running = true;
  self->run(*c);
}

void ScriptServer::on_timer(int, short, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  c->server->run(*c);
}

void ScriptServer::run(Connection& c) {
  while (c.step < c.steps.size()) {
    const Step& step = c.steps[c.step++];
    switch (step.kind) {
      case Step::Kind::send: {
        size_t sent = 0;
        while (sent < step.bytes.size()) {
          const ssize_t n =
              ::send(c.fd, step.bytes.data() + sent, step.bytes.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;  // the client is gone; its EOF comes next
          sent += static_cast<size_t>(n);
        }
        break;
      }
      case Step::Kind::wait: {
        const timeval tv{step.ms / 1000, (step.ms % 1000) * 1000};
        evtimer_add(c.timer_ev, &tv);
        return;
      }
      case Step::Kind::close:
        drop(c, false);
        return;
      case Step::Kind::reset:
        drop(c, true);
        return;
      case Step::Kind::hang:
        c.step = c.steps.size() + 1;  // never ends: later requests on it are not answered
        return;
    }
  }
  if (c.step == c.steps.size()) c.running = false;  // ready for the next request
}

void ScriptServer::drop(Connection& c, bool reset) {
  if (reset) {
    const linger hard{1, 0};
    ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  event_free(c.read_ev);
  event_free(c.timer_ev);
  ::close(c.fd);
  connections_.erase(c.position);
}

// ---- FakeDns -------------------------------------------------------------------------------

FakeDns::FakeDns(event_base* base) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  ev_ = event_new(base, fd_, EV_READ | EV_PERSIST, &FakeDns::on_query, this);
  event_add(ev_, nullptr);
  char pattern[] = "/tmp/sluice-fake-dns-XXXXXX";
  dir_ = ::mkdtemp(pattern);
  resolv_conf = dir_ + "/resolv.conf";
  hosts_file = dir_ + "/hosts";
  std::ofstream(resolv_conf) << "nameserver 127.0.0.1:" << ntohs(address.sin_port) << "\n";
  std::ofstream(hosts_file) << "";
}

FakeDns::~FakeDns() {
  event_free(ev_);
  ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void FakeDns::on_query(int fd, short, void* arg) {
  auto* self = static_cast<FakeDns*>(arg);
  unsigned char query[512];
  sockaddr_storage from{};
  socklen_t from_length = sizeof(from);
  const ssize_t n =
      ::recvfrom(fd, query, sizeof(query), 0, reinterpret_cast<sockaddr*>(&from), &from_length);
  if (n < 12) return;
  ++self->queries;
  // Question: labels up to a zero byte, then type and class.
  std::string name;
  size_t at = 12;
  while (at < static_cast<size_t>(n) && query[at] != 0) {
    const size_t label = query[at];
    if (!name.empty()) name += '.';
    for (size_t i = 1; i <= label && at + i < static_cast<size_t>(n); ++i) {
      name += static_cast<char>(std::tolower(query[at + i]));
    }
    at += label + 1;
  }
  const size_t question_end = at + 5;
  if (question_end > static_cast<size_t>(n)) return;
  const int type = (query[at + 1] << 8) | query[at + 2];
  const bool known = std::find(self->names.begin(), self->names.end(), name) != self->names.end();
  std::string reply(reinterpret_cast<const char*>(query), question_end);
  reply[2] = static_cast<char>(0x81);                 // response, recursion desired
  reply[3] = static_cast<char>(known ? 0x80 : 0x83);  // recursion available; NXDOMAIN
  reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
  if (known && type == 1) {
    reply[7] = 1;  // one answer: 127.0.0.1, TTL 60
    const unsigned char answer[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
    reply.append(reinterpret_cast<const char*>(answer), sizeof(answer));
  }
  ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
}

}  // namespace sluice::upstream::test
