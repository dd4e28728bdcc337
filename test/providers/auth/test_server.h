#pragma once
// A tiny blocking HTTP/1.1 server on 127.0.0.1:0 and a test thread, playing the credential
// endpoints (STS, the container agent, Google's token endpoint). One request per connection
// (Connection: close), which is all libcurl's easy interface needs here.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::providers::auth::testing {

struct Received {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool hang = false;  // never answer (the client's timeout must end it)
};

class TestServer {
 public:
  using Handler = std::function<Reply(const Received&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;  // port_ stays 0; the tests' requests then fail and say so
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_handler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  std::vector<Received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  // Waits for `fd` to be readable, checking stop_ every 20 ms; false on stop or a 10 s silence.
  bool readable(int fd) {
    for (int waited = 0; waited < 10000 && !stop_; waited += 20) {
      pollfd entry{fd, POLLIN, 0};
      if (::poll(&entry, 1, 20) > 0) return true;
    }
    return false;
  }

  void serve() {
    while (!stop_) {
      pollfd entry{listener_, POLLIN, 0};
      if (::poll(&entry, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      handle(fd);
      ::close(fd);
    }
  }

  void handle(int fd) {
    std::string data;
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    char buffer[4096];
    while (true) {
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
      if (!readable(fd)) return;
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) return;
      data.append(buffer, static_cast<size_t>(got));
      if (header_end == std::string::npos &&
          (header_end = data.find("\r\n\r\n")) != std::string::npos) {
        content_length = parse_head(data.substr(0, header_end));
      }
    }
    received_.body = data.substr(header_end + 4, content_length);
    Reply reply;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(received_);
      reply = handler_(received_);
    }
    if (reply.hang) {
      while (readable(fd) && ::recv(fd, buffer, sizeof buffer, 0) > 0) {
      }
      return;
    }
    std::string response = "HTTP/1.1 " + std::to_string(reply.status) +
                           " Reason\r\nContent-Type: " + reply.content_type +
                           "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                           "\r\nConnection: close\r\n\r\n" + reply.body;
    size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // Fills received_ from the request line and headers; returns Content-Length.
  size_t parse_head(const std::string& head) {
    received_ = Received();
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t space1 = request_line.find(' ');
    const size_t space2 = request_line.find(' ', space1 + 1);
    received_.method = request_line.substr(0, space1);
    received_.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    size_t content_length = 0;
    while (line_end != std::string::npos && line_end < head.size()) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::stoul(value);
      received_.headers[name] = value;
    }
    return content_length;
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  Handler handler_;
  std::vector<Received> requests_;
  Received received_;  // the server thread's request being read
  std::thread thread_;
};

// A clock tests move by hand.
struct FakeClock {
  std::atomic<int64_t> now{1'800'000'000};
  std::function<int64_t()> clock() {
    return [this] { return now.load(); };
  }
};

// Events from a source's sink, kept for assertions on what is (and is not) reported.
struct EventLog {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex);
      lines.push_back(line);
    };
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string joined;
    for (const std::string& line : lines) joined += line + "\n";
    return joined;
  }
};

// Polls `done` every 5 ms for up to 10 s (generous: the machine is shared).
inline bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Percent-decoding of a form value.
inline std::string form_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The form body's fields.
inline std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (equals != std::string::npos) {
      fields[form_decode(pair.substr(0, equals))] = form_decode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

}  // namespace sluice::providers::auth::testing
