// The bounded, shared request log and its JSON rendering.

#include "tools/fake-llm/request_log.h"

#include <utility>

#include "tools/fake-llm/json_out.h"

namespace fake_llm {

RequestLog::RequestLog(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries == 0 ? 1 : max_entries), max_bytes_(max_bytes) {}

size_t RequestLog::weight(const LogEntry& entry) {
  size_t bytes = sizeof(LogEntry) + entry.method.size() + entry.path.size() + entry.prefix.size() +
                 entry.model.size() + entry.body.size();
  for (const sluice::http::Header& header : entry.headers) {
    bytes += header.name.size() + header.value.size() + sizeof(header);
  }
  return bytes;
}

uint64_t RequestLog::add(LogEntry entry) {
  entry.body_bytes = entry.body.size();
  if (entry.body.size() > kMaxLoggedBodyBytes) {
    entry.body.resize(kMaxLoggedBodyBytes);
    entry.body.shrink_to_fit();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  entry.seq = next_seq_++;
  const uint64_t seq = entry.seq;
  bytes_ += weight(entry);
  entries_.push_back(std::move(entry));
  while (entries_.size() > 1 && (entries_.size() > max_entries_ || bytes_ > max_bytes_)) {
    bytes_ -= weight(entries_.front());
    entries_.pop_front();
  }
  return seq;
}

LogEntry* RequestLog::find(uint64_t seq) {
  if (entries_.empty() || seq < entries_.front().seq) return nullptr;
  const uint64_t index = seq - entries_.front().seq;
  return index < entries_.size() ? &entries_[static_cast<size_t>(index)] : nullptr;
}

void RequestLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
  bytes_ = 0;
}

size_t RequestLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void render_entry(std::string& out, const LogEntry& entry) {
  JsonOut json(out);
  json.begin_object();
  json.key("seq").integer(static_cast<int64_t>(entry.seq));
  json.key("time_ms").integer(entry.time_ms);
  json.key("method").string(entry.method);
  json.key("path").string(entry.path);
  json.key("prefix").string(entry.prefix);
  json.key("route").string(entry.route);
  json.key("model").string(entry.model);
  // An object keyed by the lower-case name; repeated fields are joined with ", ".
  json.key("headers").begin_object();
  const auto& headers = entry.headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    bool seen_before = false;
    for (size_t j = 0; j < i && !seen_before; ++j) seen_before = headers[j].name == headers[i].name;
    if (seen_before) continue;
    std::string value = headers[i].value;
    for (size_t j = i + 1; j < headers.size(); ++j) {
      if (headers[j].name == headers[i].name) value += ", " + headers[j].value;
    }
    json.key(headers[i].name).string(value);
  }
  json.end_object();
  json.key("body").string(entry.body);
  json.key("body_bytes").integer(static_cast<int64_t>(entry.body_bytes));
  json.key("body_truncated").boolean(entry.body_bytes > entry.body.size());
  json.key("status");
  if (entry.status == 0) {
    json.null();
  } else {
    json.integer(entry.status);
  }
  json.key("stream").boolean(entry.stream);
  json.key("chunks").integer(entry.chunks);
  json.key("client_disconnected").boolean(entry.client_disconnected);
  json.key("disconnected_after_ms");
  if (entry.disconnected_after_ms < 0) {
    json.null();
  } else {
    json.integer(entry.disconnected_after_ms);
  }
  json.key("completed").boolean(entry.completed);
  json.key("fault");
  if (entry.fault.empty()) {
    json.null();
  } else {
    json.string(entry.fault);
  }
  json.key("programmed").boolean(entry.programmed);
  json.end_object();
}

std::string RequestLog::render(uint64_t since, const std::string* prefix) const {
  std::string out = "{\"requests\":[";
  std::lock_guard<std::mutex> lock(mutex_);
  bool first = true;
  for (const LogEntry& entry : entries_) {
    if (entry.seq <= since || (prefix != nullptr && entry.prefix != *prefix)) continue;
    if (!first) out.push_back(',');
    first = false;
    render_entry(out, entry);
  }
  out += "]}";
  return out;
}

}  // namespace fake_llm
