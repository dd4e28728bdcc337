// filters/log: the line itself (line.h), exactly, without a running chain.

#include "filters/log/line.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sluice::filters::log {
namespace {

using std::chrono::system_clock;

system_clock::time_point at_ms(int64_t ms) {
  return system_clock::time_point(std::chrono::milliseconds(ms));
}

MetaLookup lookup(const std::map<std::string, std::string>& meta) {
  return [&meta](std::string_view key) -> std::optional<std::string_view> {
    auto it = meta.find(std::string(key));
    if (it == meta.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

TEST(LogLine, Rfc3339WithMilliseconds) {
  EXPECT_EQ(rfc3339_ms(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(at_ms(1795382294007)), "2026-11-22T21:18:14.007Z");
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
  facts.measured_total_us = 99999;
  EXPECT_EQ(format_line(lookup(meta), facts),
            R"({"ts":"2026-11-22T21:18:14.007Z","request_id":"req-1","chain":"main",)"
            R"("method":"POST","path":"/v1/chat/completions","model":"gpt",)"
            R"("deployment":"gpt#1","provider":"p1","provider_model":"m1","attempts":2,)"
            R"("status":200,"aborted":false,"request_bytes":120,"response_bytes":345,)"
            R"("latency_ms":12.345,"upstream_latency_ms":10.007,"ttft_ms":0.900,)"
            R"("prompt_tokens":7,"completion_tokens":3,"total_tokens":10})"
            "\n");
}

TEST(LogLine, AbsentValuesAreNullAndOddTextIsEscaped) {
  std::map<std::string, std::string> meta = {{"request.id", "r"},
                                             {"request.path", "/a\"b\\c\x01\xff"},
                                             {"response.status", "2x0"},
                                             {"route.model", "caf\xc3\xa9"}};
  LineFacts facts;
  facts.start = at_ms(0);
  facts.aborted = true;
  facts.measured_total_us = 1500;
  EXPECT_EQ(format_line(lookup(meta), facts),
            R"({"ts":"1970-01-01T00:00:00.000Z","request_id":"r","chain":null,"method":null,)"
            R"("path":"/a\"b\\c\u0001)"
            "\xef\xbf\xbd"
            R"(","model":")"
            "caf\xc3\xa9"
            R"(","deployment":null,"provider":null,"provider_model":null,"attempts":null,)"
            R"("status":null,"aborted":true,"request_bytes":null,"response_bytes":null,)"
            R"("latency_ms":1.500,"upstream_latency_ms":null,"ttft_ms":null,)"
            R"("prompt_tokens":null,"completion_tokens":null,"total_tokens":null})"
            "\n");
}

}  // namespace
}  // namespace sluice::filters::log
