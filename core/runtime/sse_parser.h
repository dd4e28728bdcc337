#pragma once
// Server-sent events framing (the WHATWG "event stream" format), both ways: an incremental parser
// for upstream bytes that may split anywhere (inside a line, between CR and LF, inside a
// multi-byte UTF-8 character), and the serialiser that writes an event back out.
// Not thread-safe; one per stream.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::runtime {

struct SseEvent {
  std::string event;  // the `event:` field; empty means the default "message"
  std::string data;   // `data:` lines joined with '\n'
  std::string id;     // the `id:` field when present
  bool has_id = false;
};

class SseParser {
 public:
  // max_event_bytes bounds one event (data + fields); beyond it feed() fails.
  explicit SseParser(size_t max_event_bytes = 16 * 1024 * 1024);

  // Appends complete events found in `bytes` to `out`. False when an event exceeds the bound
  // (the stream should then be treated as broken).
  bool feed(std::string_view bytes, std::vector<SseEvent>* out);

 private:
  void line(std::string_view text, std::vector<SseEvent>* out);

  size_t max_event_bytes_;
  std::string partial_;   // an incomplete line
  bool skip_lf_ = false;  // the last byte was CR: a following LF belongs to the same line end
  bool started_ = false;  // past a possible leading byte-order mark
  SseEvent current_;
  bool has_data_ = false;
  size_t current_bytes_ = 0;
};

// `event: …\n` (when named), `id: …\n` (when set), one `data: …\n` per line of data, then "\n".
std::string serialize_sse(const SseEvent& event);
// The same for `event` with `data` in place of event.data, appended to *out (streams reuse one
// buffer for every event).
void append_sse(const SseEvent& event, std::string_view data, std::string* out);

}  // namespace sluice::runtime
