// log: formatting the access-log line (see line.h).

#include "filters/log/line.h"

#include <ctime>

#include "filters/common/json_text.h"

namespace sluice::filters::log {
namespace {

// A metadata value that is a decimal count, as the host and filters write them.
std::optional<uint64_t> count_of(std::optional<std::string_view> text) {
  if (!text || text->empty() || text->size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

class LineBuilder {
 public:
  LineBuilder() { out_.reserve(512); }
  void key(std::string_view name) {
    out_.push_back(out_.empty() ? '{' : ',');
    out_.push_back('"');
    out_.append(name);
    out_ += "\":";
  }
  void string(std::string_view name, std::optional<std::string_view> value) {
    key(name);
    if (value) {
      common::append_json_string(out_, *value);
    } else {
      out_ += "null";
    }
  }
  void count(std::string_view name, std::optional<uint64_t> value) {
    key(name);
    out_ += value ? std::to_string(*value) : "null";
  }
  void millis(std::string_view name, std::optional<uint64_t> micros) {
    key(name);
    if (!micros) {
      out_ += "null";
      return;
    }
    std::string fraction = std::to_string(*micros % 1000);
    out_ += std::to_string(*micros / 1000) + "." + std::string(3 - fraction.size(), '0') + fraction;
  }
  void boolean(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
  }
  std::string finish() {
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  std::string out_;
};

}  // namespace

std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(text, n);
  std::string fraction = std::to_string(ms % 1000);
  return out + "." + std::string(3 - fraction.size(), '0') + fraction + "Z";
}

std::string format_line(const MetaLookup& meta, const LineFacts& facts) {
  LineBuilder line;
  line.string("ts", rfc3339_ms(facts.start));
  line.string("request_id", meta("request.id"));
  line.string("chain", meta("request.chain"));
  line.string("method", meta("request.method"));
  line.string("path", meta("request.path"));
  line.string("model", meta("route.model"));
  line.string("deployment", meta("route.deployment"));
  line.string("provider", meta("route.provider"));
  line.string("provider_model", meta("route.provider_model"));
  line.count("attempts", count_of(meta("upstream.attempts")));
  line.count("status", count_of(meta("response.status")));
  std::optional<std::string_view> aborted = meta("request.aborted");
  line.boolean("aborted", aborted ? *aborted == "1" : facts.aborted);
  line.count("request_bytes", count_of(meta("request.bytes")));
  line.count("response_bytes", count_of(meta("response.bytes")));
  std::optional<uint64_t> total = count_of(meta("timing.total_us"));
  line.millis("latency_ms", total ? total : facts.measured_total_us);
  line.millis("upstream_latency_ms", count_of(meta("timing.upstream_us")));
  line.millis("ttft_ms", count_of(meta("timing.ttft_us")));
  line.count("prompt_tokens", count_of(meta("usage.prompt_tokens")));
  line.count("completion_tokens", count_of(meta("usage.completion_tokens")));
  line.count("total_tokens", count_of(meta("usage.total_tokens")));
  return line.finish();
}

}  // namespace sluice::filters::log
