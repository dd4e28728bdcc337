#pragma once
// Test scaffolding for fake-llm: an in-process FakeServer, a raw blocking HTTP/1.1 client that
// reports exactly how a response ended (complete, EOF, reset, timeout) and when its head and body
// arrived, SSE event splitting, and JSON parsing helpers.

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tools/fake-llm/server.h"

namespace fake_llm::test {

using Clock = std::chrono::steady_clock;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A FakeServer on 127.0.0.1:0, started in the constructor.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  uint16_t port() const { return server_->port(); }
  FakeServer& server() { return *server_; }

 private:
  std::unique_ptr<FakeServer> server_;
};

enum class Ending { complete, eof, reset, timeout, invalid };
const char* ending_name(Ending ending);

struct Response {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;    // de-chunked; what arrived when the response did not complete
  bool chunked = false;
  Ending ending = Ending::invalid;
  double head_ms = -1;  // from the request being sent to the end of the head
  double done_ms = -1;  // to the end (complete, EOF, reset or timeout)
  const std::string* header(std::string_view name) const;
};

// Builds a request with Host and, when there is a body, Content-Length and a JSON content type.
std::string make_request(std::string_view method, std::string_view path, std::string_view body,
                         const HeaderList& headers = {});

class Client {
 public:
  explicit Client(uint16_t port);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // Reads one response until it completes, the connection ends, or `timeout_ms` passes.
  Response read(int timeout_ms = 5000);
  // Reads until at least `bytes` body bytes arrived (or the response ended); then returns what
  // arrived so far, leaving the connection open.
  Response read_some(size_t bytes, int timeout_ms = 5000);
  void close();

 private:
  // Parses what is buffered; true when the response is complete.
  bool parse(Response* out);
  // Receives more; false at EOF, reset, timeout (*ending says which).
  bool fill(Clock::time_point deadline, Ending* ending);

  int fd_ = -1;
  std::string buffer_;
  size_t parsed_ = 0;  // bytes of buffer_ consumed by the head and complete chunks
  bool head_done_ = false;
  int64_t content_length_ = -1;
  Clock::time_point sent_at_;
};

// One request on a fresh connection.
Response call(uint16_t port, std::string_view method, std::string_view path,
              std::string_view body = {}, const HeaderList& headers = {}, int timeout_ms = 5000);
inline Response post(uint16_t port, std::string_view path, std::string_view body,
                     const HeaderList& headers = {}) {
  return call(port, "POST", path, body, headers);
}

// The data of each "data: …" event of an event-stream body, in order.
std::vector<std::string> sse_events(const std::string& body);

// Parses JSON (the test fails on invalid JSON).
rapidjson::Document json(std::string_view text);

// A chat request body: one user message, optional extra top-level members (",\"stream\":true").
std::string chat_body(std::string_view user_text, std::string_view extra = {});

// GET /_fake/requests, parsed.
rapidjson::Document request_log(uint16_t port, std::string_view query = {});

// Waits (up to `timeout_ms`) until `predicate` holds.
template <typename Predicate>
bool eventually(Predicate predicate, int timeout_ms = 2000) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

}  // namespace fake_llm::test
