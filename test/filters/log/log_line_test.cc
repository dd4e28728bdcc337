// filters/log: the line itself (line.h), exactly, without a running chain.

#include "filters/log/line.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "filters/common/json_text.h"

namespace sluice::filters::log {
namespace {

using std::chrono::system_clock;

system_clock::time_point at_ms(int64_t ms) {
  return system_clock::time_point(std::chrono::milliseconds(ms));
}

// A present value, as meta_get_many gives it (absent ones stay {NULL, 0}).
sluice_str value_of(const std::string& text) {
  return sluice_str{text.data(), text.size()};
}

MetaValues values(const std::map<std::string, std::string>& meta) {
  MetaValues out{};
  for (size_t key = 0; key < kMetaKeyCount; ++key) {
    auto it = meta.find(std::string(kMetaKeys[key]));
    if (it != meta.end()) out[key] = value_of(it->second);
  }
  return out;
}

std::optional<std::string_view> optional_of(sluice_str value) {
  if (!value.ptr) return std::nullopt;
  return std::string_view(value.ptr, value.len);
}

// The line as the first version of the filter built it (strftime, std::to_string and
// common::append_json_string per field): the optimised one must match it byte for byte.
std::string reference_line(const MetaValues& meta, const LineFacts& facts) {
  auto count_of = [](std::optional<std::string_view> text) -> std::optional<uint64_t> {
    if (!text || text->empty() || text->size() > 19) return std::nullopt;
    uint64_t value = 0;
    for (char c : *text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return value;
  };
  std::string out;
  auto key = [&](std::string_view name) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
  };
  auto string = [&](std::string_view name, std::optional<std::string_view> value) {
    key(name);
    if (value) {
      common::append_json_string(out, *value);
    } else {
      out += "null";
    }
  };
  auto count = [&](std::string_view name, std::optional<uint64_t> value) {
    key(name);
    out += value ? std::to_string(*value) : "null";
  };
  auto millis = [&](std::string_view name, std::optional<uint64_t> micros) {
    key(name);
    if (!micros) {
      out += "null";
      return;
    }
    std::string fraction = std::to_string(*micros % 1000);
    out += std::to_string(*micros / 1000) + "." + std::string(3 - fraction.size(), '0') + fraction;
  };
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(facts.start.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::string fraction = std::to_string(ms % 1000);
  string("ts", std::string(text, n) + "." + std::string(3 - fraction.size(), '0') + fraction + "Z");
  string("request_id", optional_of(meta[kRequestId]));
  string("chain", optional_of(meta[kRequestChain]));
  string("method", optional_of(meta[kRequestMethod]));
  string("path", meta[kRequestClientPath].ptr ? optional_of(meta[kRequestClientPath])
                                              : optional_of(meta[kRequestPath]));
  if (meta[kRequestApi].ptr) string("api", optional_of(meta[kRequestApi]));
  string("model", optional_of(meta[kRouteModel]));
  string("deployment", optional_of(meta[kRouteDeployment]));
  string("provider", optional_of(meta[kRouteProvider]));
  string("provider_model", optional_of(meta[kRouteProviderModel]));
  count("attempts", count_of(optional_of(meta[kUpstreamAttempts])));
  count("status", count_of(optional_of(meta[kResponseStatus])));
  key("aborted");
  std::optional<std::string_view> aborted = optional_of(meta[kRequestAborted]);
  out += (aborted ? *aborted == "1" : facts.aborted) ? "true" : "false";
  count("request_bytes", count_of(optional_of(meta[kRequestBytes])));
  count("response_bytes", count_of(optional_of(meta[kResponseBytes])));
  std::optional<uint64_t> total = count_of(optional_of(meta[kTimingTotalUs]));
  millis("latency_ms", total);
  millis("upstream_latency_ms", count_of(optional_of(meta[kTimingUpstreamUs])));
  millis("ttft_ms", count_of(optional_of(meta[kTimingTtftUs])));
  count("prompt_tokens", count_of(optional_of(meta[kUsagePromptTokens])));
  count("completion_tokens", count_of(optional_of(meta[kUsageCompletionTokens])));
  count("total_tokens", count_of(optional_of(meta[kUsageTotalTokens])));
  out += "}\n";
  return out;
}

std::string timestamp(TimestampFormatter& formatter, system_clock::time_point time) {
  std::string out(TimestampFormatter::kSize, '\0');
  formatter.format(time, out.data());
  return out;
}

TEST(LogLine, Rfc3339WithMilliseconds) {
  EXPECT_EQ(rfc3339_ms(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(at_ms(1795382294007)), "2026-11-22T21:18:14.007Z");
  // Sub-millisecond parts are cut, not rounded.
  EXPECT_EQ(rfc3339_ms(at_ms(1795382294007) + std::chrono::microseconds(999)),
            "2026-11-22T21:18:14.007Z");
}

TEST(LogLine, MillisecondsArePaddedToThreeDigits) {
  TimestampFormatter formatter;
  const int64_t second = 1795382294000;
  EXPECT_EQ(timestamp(formatter, at_ms(second + 5)), "2026-11-22T21:18:14.005Z");
  EXPECT_EQ(timestamp(formatter, at_ms(second + 50)), "2026-11-22T21:18:14.050Z");
  EXPECT_EQ(timestamp(formatter, at_ms(second + 500)), "2026-11-22T21:18:14.500Z");
  EXPECT_EQ(timestamp(formatter, at_ms(second + 999)), "2026-11-22T21:18:14.999Z");
  EXPECT_EQ(timestamp(formatter, at_ms(second)), "2026-11-22T21:18:14.000Z");
}

TEST(LogLine, TimestampCacheFollowsSecondBoundariesBothWays) {
  TimestampFormatter formatter;
  // The last millisecond of a day, then the next day's first (the cached prefix must change).
  const int64_t midnight = 1795392000000;  // 2026-11-23T00:00:00Z
  EXPECT_EQ(timestamp(formatter, at_ms(midnight - 1)), "2026-11-22T23:59:59.999Z");
  EXPECT_EQ(timestamp(formatter, at_ms(midnight)), "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(timestamp(formatter, at_ms(midnight + 1)), "2026-11-23T00:00:00.001Z");
  // A clock stepped back, and a jump of years.
  EXPECT_EQ(timestamp(formatter, at_ms(midnight - 1000)), "2026-11-22T23:59:59.000Z");
  EXPECT_EQ(timestamp(formatter, at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(timestamp(formatter, at_ms(midnight + 1001)), "2026-11-23T00:00:01.001Z");
  // Against strftime for times in random order, one formatter throughout.
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i) {
    int64_t ms = static_cast<int64_t>(random() % 4102444800000);       // 1970..2100
    if (i % 2) ms = midnight + static_cast<int64_t>(random() % 3000);  // often the same second
    LineFacts facts;
    facts.start = at_ms(ms);
    std::string expected = reference_line(MetaValues{}, facts).substr(7, 24);
    ASSERT_EQ(timestamp(formatter, facts.start), expected) << ms;
  }
}

TEST(LogLine, EveryFieldFromMetadata) {
  std::map<std::string, std::string> meta = {
      {"request.id", "req-1"},         {"request.chain", "main"},
      {"request.method", "POST"},      {"request.path", "/v1/chat/completions"},
      {"route.model", "gpt"},          {"route.deployment", "gpt#1"},
      {"route.provider", "p1"},        {"route.provider_model", "m1"},
      {"upstream.attempts", "2"},      {"response.status", "200"},
      {"request.aborted", "0"},        {"request.bytes", "120"},
      {"response.bytes", "345"},       {"timing.total_us", "12345"},
      {"timing.upstream_us", "10007"}, {"timing.ttft_us", "900"},
      {"usage.prompt_tokens", "7"},    {"usage.completion_tokens", "3"},
      {"usage.total_tokens", "10"},    {"auth.key", "sk-never-logged"}};
  LineFacts facts;
  facts.start = at_ms(1795382294007);
  facts.aborted = true;  // request.aborted wins
  EXPECT_EQ(format_line(values(meta), facts),
            R"({"ts":"2026-11-22T21:18:14.007Z","request_id":"req-1","chain":"main",)"
            R"("method":"POST","path":"/v1/chat/completions","model":"gpt",)"
            R"("deployment":"gpt#1","provider":"p1","provider_model":"m1","attempts":2,)"
            R"("status":200,"aborted":false,"request_bytes":120,"response_bytes":345,)"
            R"("latency_ms":12.345,"upstream_latency_ms":10.007,"ttft_ms":0.900,)"
            R"("prompt_tokens":7,"completion_tokens":3,"total_tokens":10})"
            "\n");
}

TEST(LogLine, AnotherClientApisRequestIsLoggedWithItsOwnPathAndTheApi) {
  std::map<std::string, std::string> meta = {{"request.path", "/v1/chat/completions"},
                                             {"request.client_path", "/v1/messages"},
                                             {"request.api", "anthropic"}};
  LineFacts facts;
  facts.start = at_ms(1795382294007);
  std::string line = format_line(values(meta), facts);
  EXPECT_NE(line.find(R"("path":"/v1/messages","api":"anthropic","model":)"), std::string::npos)
      << line;
  EXPECT_EQ(line.find("/v1/chat/completions"), std::string::npos) << line;
}

TEST(LogLine, AbsentValuesAreNullAndOddTextIsEscaped) {
  std::map<std::string, std::string> meta = {{"request.id", "r"},
                                             {"request.path", "/a\"b\\c\x01\xff"},
                                             {"response.status", "2x0"},
                                             {"route.model", "caf\xc3\xa9"}};
  LineFacts facts;
  facts.start = at_ms(0);
  facts.aborted = true;
  EXPECT_EQ(format_line(values(meta), facts),
            R"({"ts":"1970-01-01T00:00:00.000Z","request_id":"r","chain":null,"method":null,)"
            R"("path":"/a\"b\\c\u0001)"
            "\xef\xbf\xbd"
            R"(","model":")"
            "caf\xc3\xa9"
            R"(","deployment":null,"provider":null,"provider_model":null,"attempts":null,)"
            R"("status":null,"aborted":true,"request_bytes":null,"response_bytes":null,)"
            R"("latency_ms":null,"upstream_latency_ms":null,"ttft_ms":null,)"
            R"("prompt_tokens":null,"completion_tokens":null,"total_tokens":null})"
            "\n");
}

TEST(LogLine, NoMetadataAtAll) {
  LineFacts facts;
  facts.start = at_ms(1795382294050);
  EXPECT_EQ(format_line(MetaValues{}, facts),
            R"({"ts":"2026-11-22T21:18:14.050Z","request_id":null,"chain":null,"method":null,)"
            R"("path":null,"model":null,"deployment":null,"provider":null,"provider_model":null,)"
            R"("attempts":null,"status":null,"aborted":false,"request_bytes":null,)"
            R"("response_bytes":null,"latency_ms":null,"upstream_latency_ms":null,)"
            R"("ttft_ms":null,"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})"
            "\n");
}

TEST(LogLine, NumbersKeepTheirValueWhateverTheirText) {
  std::map<std::string, std::string> meta = {
      {"upstream.attempts", "007"},
      {"response.status", "000"},
      {"request.aborted", "yes"},
      {"request.bytes", "9999999999999999999"},
      {"response.bytes", "10000000000000000000"},  // 20 digits: not a count
      {"timing.total_us", "-5"},                   // not a count: null
      {"timing.upstream_us", "0"},
      {"timing.ttft_us", "0001000"},
      {"usage.prompt_tokens", ""},
      {"usage.completion_tokens", " 3"},
      {"usage.total_tokens", "0012"}};
  LineFacts facts;
  facts.start = at_ms(1795382294000);
  facts.aborted = true;  // request.aborted is set (not "1"): false
  std::string line = format_line(values(meta), facts);
  EXPECT_EQ(line,
            R"({"ts":"2026-11-22T21:18:14.000Z","request_id":null,"chain":null,"method":null,)"
            R"("path":null,"model":null,"deployment":null,"provider":null,"provider_model":null,)"
            R"("attempts":7,"status":0,"aborted":false,"request_bytes":9999999999999999999,)"
            R"("response_bytes":null,"latency_ms":null,)"
            R"("upstream_latency_ms":0.000,"ttft_ms":1.000,"prompt_tokens":null,)"
            R"("completion_tokens":null,"total_tokens":12})"
            "\n");
  EXPECT_EQ(line, reference_line(values(meta), facts));
}

TEST(LogLine, LatenciesKeepMicrosecondPrecision) {
  for (const auto& [micros, text] :
       std::map<std::string, std::string>{{"0", "0.000"},
                                          {"5", "0.005"},
                                          {"50", "0.050"},
                                          {"999", "0.999"},
                                          {"1000", "1.000"},
                                          {"1001", "1.001"},
                                          {"123456789", "123456.789"}}) {
    std::map<std::string, std::string> meta = {{"timing.ttft_us", micros}};
    std::string line = format_line(values(meta), LineFacts{});
    EXPECT_NE(line.find("\"ttft_ms\":" + text + ","), std::string::npos) << micros << ": " << line;
    meta = {{"timing.total_us", micros}};
    line = format_line(values(meta), LineFacts{});
    EXPECT_NE(line.find("\"latency_ms\":" + text + ","), std::string::npos)
        << micros << ": " << line;
  }
}

// Random bytes biased towards the ones that need care, in runs long enough for the 8-byte path.
std::string random_text(std::mt19937_64& random) {
  static constexpr std::string_view kInteresting[] = {"\"",
                                                      "\\",
                                                      "\n",
                                                      "\r",
                                                      "\t",
                                                      "\x01",
                                                      "\x1f",
                                                      " ",
                                                      "\x7f",
                                                      "\x80",
                                                      "\xc3\xa9",
                                                      "\xc3",
                                                      "\xe2\x82\xac",
                                                      "\xe2\x82",
                                                      "\xed\xa0\x80",
                                                      "\xf0\x9f\x98\x80",
                                                      "\xf4\x90\x80\x80",
                                                      "\xff",
                                                      "abcdefgh",
                                                      "/v1/chat/completions"};
  std::string text;
  size_t parts = random() % 12;
  for (size_t i = 0; i < parts; ++i) {
    switch (random() % 3) {
      case 0:
        text += kInteresting[random() % std::size(kInteresting)];
        break;
      case 1:
        text.push_back(static_cast<char>(random() % 256));
        break;
      default:
        text.append(random() % 20, static_cast<char>('a' + random() % 26));
    }
  }
  return text;
}

std::string random_count(std::mt19937_64& random) {
  switch (random() % 5) {
    case 0:
      return std::to_string(random() % 1000);
    case 1:
      return std::to_string(random());
    case 2:
      return std::string(random() % 3, '0') + std::to_string(random() % 100000);
    case 3:
      return std::string(random() % 22, static_cast<char>('0' + random() % 10));
    default:
      return random_text(random);
  }
}

TEST(LogLine, MatchesTheFirstVersionOnRandomInput) {
  std::mt19937_64 random(42);
  LineScratch scratch;  // reused throughout, as in a worker thread
  for (int i = 0; i < 20000; ++i) {
    std::string storage[kMetaKeyCount];
    MetaValues meta{};
    for (size_t key = 0; key < kMetaKeyCount; ++key) {
      if (random() % 4 == 0) continue;  // absent
      bool text = key <= kRouteProviderModel || random() % 8 == 0;
      storage[key] = key == kRequestAborted ? std::to_string(random() % 3)
                     : text                 ? random_text(random)
                                            : random_count(random);
      meta[key] = value_of(storage[key]);
    }
    LineFacts facts;
    facts.start = at_ms(static_cast<int64_t>(random() % 4102444800000));
    facts.aborted = random() % 2;
    std::string_view line = format_line(meta, facts, scratch);
    ASSERT_EQ(line, reference_line(meta, facts)) << "case " << i;
    scratch.trim();
  }
}

// Escaping and count parsing at every length, with one byte that needs care (or is not a digit)
// at every position.
TEST(LogLine, EveryLengthWithAnOddByteAtEveryPosition) {
  LineScratch scratch;
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {  // at == length: none
      for (char odd : {'"', '\\', '\x01', '\x7f', '\xc3', '\xff', ' ', 'x'}) {
        std::string text(length, 'a');
        std::string digits(length, '7');
        if (at < length) {
          text[at] = odd;
          digits[at] = odd;
        }
        if (length > 1) digits[0] = '0';  // and a leading zero
        MetaValues meta{};
        meta[kRequestPath] = value_of(text);
        meta[kRequestBytes] = value_of(digits);
        meta[kTimingTtftUs] = value_of(digits);
        LineFacts facts;
        std::string_view line = format_line(meta, facts, scratch);
        ASSERT_EQ(line, reference_line(meta, facts)) << length << " " << at << " " << int{odd};
        ASSERT_NE(line.find(",\"path\":" + common::json_quote(text) + ","), std::string::npos);
      }
    }
  }
}

TEST(LogLine, ALongLineDoesNotLeakIntoTheNext) {
  LineScratch scratch;
  std::string long_path(100000, '\x01');  // every byte escaped: 600 kB of line
  std::map<std::string, std::string> meta = {{"request.path", long_path}};
  std::string_view line = format_line(values(meta), LineFacts{}, scratch);
  EXPECT_EQ(line, reference_line(values(meta), LineFacts{}));
  EXPECT_GT(scratch.text.size(), LineScratch::kKeepBytes);
  scratch.trim();  // gives the memory back
  EXPECT_EQ(scratch.text.capacity(), std::string().capacity());
  std::map<std::string, std::string> short_meta = {{"request.path", "/v1/models"}};
  EXPECT_EQ(format_line(values(short_meta), LineFacts{}, scratch),
            reference_line(values(short_meta), LineFacts{}));
  EXPECT_EQ(format_line(values(meta), LineFacts{}, scratch),
            reference_line(values(meta), LineFacts{}));
  EXPECT_EQ(format_line(values(short_meta), LineFacts{}, scratch),
            reference_line(values(short_meta), LineFacts{}));
}

}  // namespace
}  // namespace sluice::filters::log
