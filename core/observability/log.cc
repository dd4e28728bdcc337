// Owns the process log: the level filter, the JSON-lines encoder (RFC 8259 string escaping,
// finite-only numbers, RFC 3339 UTC timestamps with milliseconds) and delivery of each line to
// stderr with a single write(2), or to the test sink.

#include "core/observability/log.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "core/observability/utf8.h"

namespace sluice::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};

// Read by every writer, replaced only while no worker runs (see set_sink).
std::function<void(std::string_view)> g_sink;

constexpr char kHex[] = "0123456789abcdef";

void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t seconds = static_cast<time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    --seconds;
  }
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 millis);
}

void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  append_json_escaped(out, text);
  out.push_back('"');
}

struct ValueAppender {
  std::string& out;
  void operator()(std::string_view v) const { append_quoted(out, v); }
  void operator()(int64_t v) const { fmt::format_to(std::back_inserter(out), "{}", v); }
  void operator()(double v) const {
    if (std::isfinite(v)) {
      // Shortest representation that round-trips; always valid JSON for finite values
      // ("1", "0.25", "1e+20", "5e-05").
      fmt::format_to(std::back_inserter(out), "{}", v);
    } else {
      out.append("null");
    }
  }
  void operator()(bool v) const { out.append(v ? "true" : "false"); }
};

// Writes all of `data` to fd, retrying on EINTR, partial writes and a full non-blocking pipe.
// Gives up silently on any other error: logging must never take the process down.
void write_fully(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd {};
      pfd.fd = fd;
      pfd.events = POLLOUT;
      int ready;
      do {
        ready = ::poll(&pfd, 1, 1000);
      } while (ready < 0 && errno == EINTR);
      if (ready > 0) continue;
    }
    return;
  }
}

}  // namespace

bool parse_level(std::string_view text, Level* out) {
  static constexpr std::pair<std::string_view, Level> kLevels[] = {{"debug", Level::debug},
                                                                   {"info", Level::info},
                                                                   {"warn", Level::warn},
                                                                   {"error", Level::error}};
  for (const auto& [name, level] : kLevels) {
    if (text == name) {
      if (out != nullptr) *out = level;
      return true;
    }
  }
  return false;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "unknown";
}

void set_level(Level level) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;  // fast path: nothing built, nothing allocated

  std::string line;
  line.reserve(128 + message.size() + fields.size() * 32);
  line.append("{\"ts\":\"");
  append_timestamp(line);
  line.append("\",\"level\":");
  append_quoted(line, level_name(level));
  line.append(",\"msg\":");
  append_quoted(line, message);
  for (const Field& field : fields) {
    line.push_back(',');
    append_quoted(line, field.key);
    line.push_back(':');
    std::visit(ValueAppender{line}, field.value);
  }
  line.push_back('}');

  if (g_sink) {
    g_sink(line);
    return;
  }
  line.push_back('\n');
  write_fully(STDERR_FILENO, line.data(), line.size());
}

void set_sink(std::function<void(std::string_view line)> sink) {
  g_sink = std::move(sink);
}

void append_json_escaped(std::string& out, std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Copy the longest run that needs no escaping in one append.
    size_t run = i;
    while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') ++run;
    if (run > i) {
      out.append(text.data() + i, run - i);
      i = run;
      if (i == n) break;
    }
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const size_t len = observability_internal::utf8_sequence_length(p + i, n - i);
      if (len == 0) {
        out.append(observability_internal::kReplacementCharacter);
        ++i;
      } else {
        out.append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:  // the remaining control characters U+0000..U+001F
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
        break;
    }
    ++i;
  }
}

}  // namespace sluice::log
