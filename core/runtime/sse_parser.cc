// SseParser and serialize_sse.

#include "core/runtime/sse_parser.h"

#include <algorithm>
#include <cstring>

namespace sluice::runtime {
namespace {

// The position of `byte` in `text` at or after `from`; npos when absent.
size_t find_byte(std::string_view text, char byte, size_t from) {
  if (from >= text.size()) return std::string_view::npos;
  const void* hit = std::memchr(text.data() + from, byte, text.size() - from);
  return hit ? static_cast<size_t>(static_cast<const char*>(hit) - text.data())
             : std::string_view::npos;
}

}  // namespace

SseParser::SseParser(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>* out) {
  if (!started_ && !bytes.empty()) {
    // A UTF-8 byte-order mark may open the stream; it can itself arrive split.
    std::string probe = partial_ + std::string(bytes.substr(0, 3));
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (probe.size() < 3 && kBom.substr(0, probe.size()) == probe) {
      partial_ = probe;
      return true;
    }
    started_ = true;
    if (probe.compare(0, 3, kBom) == 0) {
      size_t from_bytes = 3 - partial_.size();
      partial_.clear();
      bytes.remove_prefix(from_bytes);
    }
  }
  // Lines are found with memchr and handed to line() straight from `bytes`; only a line split
  // across two reads is gathered in partial_. A CR is rare: its position is looked up once and
  // again only after it has been passed.
  const size_t size = bytes.size();
  size_t start = 0;
  if (skip_lf_ && size > 0) {
    skip_lf_ = false;
    if (bytes[0] == '\n') start = 1;  // the LF of a CRLF whose CR ended the previous read
  }
  size_t next_cr = find_byte(bytes, '\r', start);
  while (start < size) {
    if (next_cr < start) next_cr = find_byte(bytes, '\r', start);
    const size_t end = std::min(find_byte(bytes, '\n', start), next_cr);
    if (end == std::string_view::npos) break;
    const std::string_view piece = bytes.substr(start, end - start);
    if (partial_.empty()) {
      if (piece.size() > max_event_bytes_) return false;
      line(piece, out);
    } else {
      partial_.append(piece);
      if (partial_.size() > max_event_bytes_) return false;
      line(partial_, out);
      partial_.clear();
    }
    if (current_bytes_ > max_event_bytes_) return false;
    start = end + 1;
    if (bytes[end] == '\r') {
      if (start == size) {
        skip_lf_ = true;  // the LF, if any, comes with the next read
      } else if (bytes[start] == '\n') {
        ++start;
      }
    }
  }
  if (start < size) partial_.append(bytes.substr(start));
  return partial_.size() <= max_event_bytes_;
}

void SseParser::line(std::string_view text, std::vector<SseEvent>* out) {
  if (text.empty()) {  // a blank line dispatches the event, if it has data
    if (has_data_) out->push_back(std::move(current_));
    // Emptied field by field, which costs less than assigning a new event.
    current_.event.clear();
    current_.data.clear();
    current_.id.clear();
    current_.has_id = false;
    has_data_ = false;
    current_bytes_ = 0;
    return;
  }
  if (text.front() == ':') return;  // a comment (keep-alive)
  size_t colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  current_bytes_ += text.size();
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      current_.id.assign(value);
      current_.has_id = true;
    }
  }
  // "retry" and unknown fields are ignored, as the format says.
}

std::string serialize_sse(const SseEvent& event) {
  std::string out;
  append_sse(event, event.data, &out);
  return out;
}

void append_sse(const SseEvent& event, std::string_view data, std::string* out) {
  out->reserve(out->size() + data.size() + event.event.size() + event.id.size() + 24);
  if (!event.event.empty()) {
    out->append("event: ").append(event.event).push_back('\n');
  }
  if (event.has_id) {
    out->append("id: ").append(event.id).push_back('\n');
  }
  size_t start = 0;
  while (true) {
    const size_t end = data.find('\n', start);
    out->append("data: ");
    out->append(
        data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    out->push_back('\n');
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  out->push_back('\n');
}

}  // namespace sluice::runtime
