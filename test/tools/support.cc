// The in-process server, the raw HTTP client and the parsing helpers of support.h.

#include "test/tools/support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "tools/fake-llm/json_out.h"

namespace fake_llm::test {

Server::Server(ServerOptions options) : server_(std::make_unique<FakeServer>(std::move(options))) {
  std::string error;
  if (!server_->start(&error)) ADD_FAILURE() << "fake-llm did not start: " << error;
}

Server::~Server() {
  server_->stop();
}

const char* ending_name(Ending ending) {
  switch (ending) {
    case Ending::complete:
      return "complete";
    case Ending::eof:
      return "eof";
    case Ending::reset:
      return "reset";
    case Ending::timeout:
      return "timeout";
    case Ending::invalid:
      return "invalid";
  }
  return "?";
}

const std::string* Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string make_request(std::string_view method, std::string_view path, std::string_view body,
                         const HeaderList& headers) {
  std::string out;
  out += method;
  out += ' ';
  out += path;
  out += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") {
    out +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

Client::Client(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) close();
}

Client::~Client() {
  close();
}

void Client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Client::send(std::string_view bytes) {
  sent_at_ = Clock::now();
  while (!bytes.empty() && fd_ >= 0) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return fd_ >= 0;
}

bool Client::fill(Clock::time_point deadline, Ending* ending) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    *ending = Ending::timeout;
    return false;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
    *ending = Ending::timeout;
    return false;
  }
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  *ending = (n < 0 && errno == ECONNRESET) ? Ending::reset : Ending::eof;
  return false;
}

bool Client::parse(Response* out) {
  if (!head_done_) {
    const size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    head_done_ = true;
    out->head_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
    const std::string head = buffer_.substr(0, end);
    parsed_ = end + 4;
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() >= 12) out->status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      out->headers.emplace_back(name, line.substr(v));
    }
    if (const std::string* te = out->header("transfer-encoding")) out->chunked = *te == "chunked";
    if (const std::string* cl = out->header("content-length"))
      content_length_ = std::atoll(cl->c_str());
  }
  if (out->chunked) {
    while (true) {
      const size_t line_end = buffer_.find("\r\n", parsed_);
      if (line_end == std::string::npos) return false;
      const size_t size = std::strtoul(buffer_.c_str() + parsed_, nullptr, 16);
      if (size == 0) {
        if (buffer_.size() < line_end + 4) return false;
        parsed_ = line_end + 4;
        return true;
      }
      if (buffer_.size() < line_end + 2 + size + 2) return false;
      out->body.append(buffer_, line_end + 2, size);
      parsed_ = line_end + 2 + size + 2;
    }
  }
  const size_t available = buffer_.size() - parsed_;
  if (content_length_ >= 0 && available >= static_cast<size_t>(content_length_)) {
    out->body = buffer_.substr(parsed_, static_cast<size_t>(content_length_));
    return true;
  }
  return false;
}

Response Client::read(int timeout_ms) {
  Response response;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  head_done_ = false;
  content_length_ = -1;
  while (true) {
    if (parse(&response)) {
      response.ending = Ending::complete;
      break;
    }
    Ending ending = Ending::invalid;
    if (!fill(deadline, &ending)) {
      response.ending = ending;
      // Keep what arrived of a body of known length.
      if (head_done_ && !response.chunked) response.body = buffer_.substr(parsed_);
      break;
    }
  }
  response.done_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
  buffer_.erase(0, std::min(parsed_, buffer_.size()));
  parsed_ = 0;
  return response;
}

Response Client::read_some(size_t bytes, int timeout_ms) {
  Response response;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  head_done_ = false;
  content_length_ = -1;
  while (true) {
    if (parse(&response)) {
      response.ending = Ending::complete;
      break;
    }
    if (head_done_ && response.body.size() >= bytes) break;
    Ending ending = Ending::invalid;
    if (!fill(deadline, &ending)) {
      response.ending = ending;
      break;
    }
  }
  response.done_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
  return response;
}

Response call(uint16_t port, std::string_view method, std::string_view path, std::string_view body,
              const HeaderList& headers, int timeout_ms) {
  Client client(port);
  EXPECT_TRUE(client.connected());
  client.send(make_request(method, path, body, headers));
  return client.read(timeout_ms);
}

std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> events;
  size_t at = 0;
  while (at < body.size()) {
    const size_t end = body.find("\n\n", at);
    const std::string event =
        body.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (event.rfind("data: ", 0) == 0) {
      events.push_back(event.substr(6));
    } else {
      events.push_back("<not a data event: " + event + ">");
    }
    if (end == std::string::npos) break;
    at = end + 2;
  }
  return events;
}

rapidjson::Document json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  return doc;
}

std::string chat_body(std::string_view user_text, std::string_view extra) {
  std::string body = R"({"model":"gpt-test","messages":[{"role":"user","content":)";
  append_json_string(body, user_text);
  body += "}]";
  body += extra;
  body += "}";
  return body;
}

rapidjson::Document request_log(uint16_t port, std::string_view query) {
  std::string path = "/_fake/requests";
  if (!query.empty()) {
    path += '?';
    path += query;
  }
  const Response response = call(port, "GET", path);
  EXPECT_EQ(response.status, 200);
  return json(response.body);
}

}  // namespace fake_llm::test
