// SseParser and serialize_sse.

#include "core/runtime/sse_parser.h"

namespace sluice::runtime {

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
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\r' && c != '\n') {
      skip_lf_ = false;
      continue;
    }
    if (c == '\n' && skip_lf_) {  // the LF of a CRLF whose CR ended the previous line
      skip_lf_ = false;
      start = i + 1;
      continue;
    }
    partial_.append(bytes.substr(start, i - start));
    if (partial_.size() > max_event_bytes_) return false;
    line(partial_, out);
    partial_.clear();
    skip_lf_ = c == '\r';
    start = i + 1;
    if (current_bytes_ > max_event_bytes_) return false;
  }
  partial_.append(bytes.substr(start));
  return partial_.size() <= max_event_bytes_;
}

void SseParser::line(std::string_view text, std::vector<SseEvent>* out) {
  if (text.empty()) {  // a blank line dispatches the event, if it has data
    if (has_data_) out->push_back(std::move(current_));
    current_ = SseEvent{};
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
  out.reserve(event.data.size() + event.event.size() + 16);
  if (!event.event.empty()) {
    out += "event: ";
    out += event.event;
    out += '\n';
  }
  if (event.has_id) {
    out += "id: ";
    out += event.id;
    out += '\n';
  }
  size_t start = 0;
  while (true) {
    size_t end = event.data.find('\n', start);
    out += "data: ";
    out.append(event.data, start, end == std::string::npos ? std::string::npos : end - start);
    out += '\n';
    if (end == std::string::npos) break;
    start = end + 1;
  }
  out += '\n';
  return out;
}

}  // namespace sluice::runtime
