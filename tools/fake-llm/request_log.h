#pragma once
// RequestLog: what fake-llm received and how it answered, for tests to inspect through
// GET /_fake/requests. One entry per provider request, added when the request arrives and
// updated as its answer progresses (status, chunks, completion, client disconnect). Shared by all
// workers behind one mutex; bounded by entry count and by stored bytes (oldest entries go first).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "core/http/message.h"

namespace fake_llm {

inline constexpr size_t kMaxLogEntries = 10000;
inline constexpr size_t kMaxLogBytes = 256u * 1024 * 1024;
inline constexpr size_t kMaxLoggedBodyBytes = 64 * 1024;

struct LogEntry {
  uint64_t seq = 0;     // assigned by RequestLog::add, increasing, never reused (not even by clear)
  int64_t time_ms = 0;  // arrival, Unix milliseconds
  std::string method;
  std::string path;               // as received, prefix included, without the query
  std::string prefix;             // the deployment prefix before the route ("" when none)
  std::string route;              // route_name(): "chat.completions", "converse", "unknown", ...
  std::string model;              // the request's model (Bedrock: the decoded modelId)
  sluice::http::Headers headers;  // every header as received (names lower-case)
  std::string body;               // the first kMaxLoggedBodyBytes bytes
  uint64_t body_bytes = 0;        // the whole body's size
  int status = 0;                 // answered status; 0 until the response head went out
  bool stream = false;            // answered as an event stream
  uint32_t chunks = 0;            // content chunks sent (streams)
  bool client_disconnected = false;
  int64_t disconnected_after_ms = -1;  // since arrival; -1 when the client did not disconnect
  bool completed = false;              // the whole response was handed to the connection
  std::string fault;                   // the fault applied ("" when none)
  bool programmed = false;             // a /_fake/program entry was applied
};

class RequestLog {
 public:
  explicit RequestLog(size_t max_entries = kMaxLogEntries, size_t max_bytes = kMaxLogBytes);

  // Stores `entry` (its body truncated) and returns its seq.
  uint64_t add(LogEntry entry);

  // Runs fn(LogEntry&) under the lock if the entry is still held.
  template <typename Fn>
  void update(uint64_t seq, Fn&& fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (LogEntry* entry = find(seq)) fn(*entry);
  }

  void clear();
  size_t size() const;

  // {"requests":[…]}, oldest first: entries with seq > `since`, and with exactly `*prefix` when
  // `prefix` is not null.
  std::string render(uint64_t since, const std::string* prefix) const;

 private:
  LogEntry* find(uint64_t seq);
  static size_t weight(const LogEntry& entry);

  const size_t max_entries_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::deque<LogEntry> entries_;
  uint64_t next_seq_ = 1;
  size_t bytes_ = 0;
};

// A request's handle on its log entry; inert when logging is off.
struct LogRef {
  RequestLog* log = nullptr;
  uint64_t seq = 0;

  template <typename Fn>
  void update(Fn&& fn) const {
    if (log != nullptr) log->update(seq, std::forward<Fn>(fn));
  }
};

// Appends one entry as a JSON object.
void render_entry(std::string& out, const LogEntry& entry);

}  // namespace fake_llm
