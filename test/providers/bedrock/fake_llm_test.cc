// The Bedrock adapter against the real fake-llm binary started with --aws-credentials: OpenAI
// requests translated, signed with sluice's SigV4 and sent over HTTP; the fake checks every
// signature; its Converse, ConverseStream (event-stream bytes fed to the decoder in small
// pieces) and InvokeModel answers come back as OpenAI answers; a wrong secret is a 403 kept as
// such. Skipped when the fake-llm binary is not next to the test binary (same bin folder).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "providers/aws/sigv4.h"
#include "providers/bedrock/adapter.h"

namespace sluice::bedrock {
namespace {

using providers::Endpoint;
using providers::Failure;
using providers::UpstreamRequest;

constexpr const char* kAccessKeyId = "AKIDE2EEXAMPLE";
constexpr const char* kSecret = "e2e-secret-access-key";

std::string fake_llm_path() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "fake-llm").string();
}

// fake-llm on a free port, checking signatures, stopped with SIGTERM.
class FakeLlm {
 public:
  FakeLlm() {
    const std::string binary = fake_llm_path();
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      if (freopen("/dev/null", "w", stderr) == nullptr) _exit(126);  // its log lines
      ::close(out[0]);
      ::close(out[1]);
      const std::string keys = std::string(kAccessKeyId) + ":" + kSecret;
      execl(binary.c_str(), binary.c_str(), "--port", "0", "--no-log", "--aws-credentials",
            keys.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    FILE* stream = fdopen(out[0], "r");
    char line[128] = {0};
    constexpr std::string_view kPrefix = "listening 127.0.0.1:";
    if (fgets(line, sizeof(line), stream) != nullptr &&
        std::string_view(line).starts_with(kPrefix)) {
      port_ = std::stoi(std::string(line + kPrefix.size()));
    }
    fclose(stream);
  }
  ~FakeLlm() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

struct HttpAnswer {
  int status = 0;
  std::string body;  // de-chunked
};

std::string dechunk(std::string_view raw) {
  std::string body;
  size_t at = 0;
  while (at < raw.size()) {
    const size_t line_end = raw.find("\r\n", at);
    if (line_end == std::string_view::npos) break;
    const size_t size = std::stoul(std::string(raw.substr(at, line_end - at)), nullptr, 16);
    if (size == 0) break;
    body.append(raw.substr(line_end + 2, size));
    at = line_end + 2 + size + 2;
  }
  return body;
}

// Sends the adapter's request, signed, on a fresh connection and reads the whole answer.
HttpAnswer send_signed(int port, const UpstreamRequest& request, const aws::Credentials& keys) {
  aws::HeaderList headers;
  for (const auto& header : request.headers) headers.emplace_back(header.name, header.value);
  std::string error;
  EXPECT_TRUE(aws::sign_request(request.method, request.url, request.body, request.signing_region,
                                request.signing_service, keys, 1763800000, &headers, &error))
      << error;
  const std::string authority = "127.0.0.1:" + std::to_string(port);
  const std::string target = request.url.substr(request.url.find(authority) + authority.size());
  std::string wire =
      request.method + " " + target + " HTTP/1.1\r\nHost: " + authority +
      "\r\nConnection: close\r\nContent-Length: " + std::to_string(request.body.size()) + "\r\n";
  for (const auto& [name, value] : headers) wire += name + ": " + value + "\r\n";
  wire += "\r\n" + request.body;

  HttpAnswer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(wire.size())) {
    ::close(fd);
    return answer;
  }
  std::string raw;
  char buffer[16384];
  for (ssize_t got; (got = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) raw.append(buffer, got);
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || head_end == std::string::npos) return answer;
  answer.status = std::stoi(raw.substr(9, 3));
  std::string head = raw.substr(0, head_end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view rest = std::string_view(raw).substr(head_end + 4);
  answer.body = head.find("transfer-encoding: chunked") != std::string::npos ? dechunk(rest)
                                                                             : std::string(rest);
  return answer;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

class BedrockAgainstFakeLlm : public testing::Test {
 protected:
  void SetUp() override {
    // The build makes fake-llm before this binary (test/CMakeLists.txt): missing is a failure.
    ASSERT_TRUE(std::filesystem::exists(fake_llm_path())) << "no fake-llm at " << fake_llm_path();
    fake_ = std::make_unique<FakeLlm>();
    ASSERT_GT(fake_->port(), 0);
    deployment_.name = "e2e#0";
    deployment_.provider_type = "bedrock";
    deployment_.model = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    deployment_.base_url = "http://127.0.0.1:" + std::to_string(fake_->port());
    deployment_.settings = {{"aws_region_name", "us-west-2"}};
    ASSERT_EQ(adapter_->check(deployment_), "");
  }

  UpstreamRequest build(Endpoint endpoint, std::string_view body) {
    UpstreamRequest request;
    Failure failure;
    EXPECT_TRUE(adapter_->build_request(endpoint, body, deployment_, &request, &failure))
        << failure.message;
    return request;
  }

  const providers::ResponseContext context_{"my-model", "chatcmpl-e2e", 1700000000};
  const aws::Credentials keys_{kAccessKeyId, kSecret, ""};
  std::unique_ptr<providers::Adapter> adapter_ = make_bedrock_adapter();
  providers::Deployment deployment_;
  std::unique_ptr<FakeLlm> fake_;
};

TEST_F(BedrockAgainstFakeLlm, StreamedChat) {
  const UpstreamRequest request = build(
      Endpoint::chat_completions,
      R"({"model":"my-model","stream":true,"messages":[{"role":"user","content":"hello there"}]})");
  ASSERT_TRUE(request.url.ends_with("/converse-stream"));
  const HttpAnswer answer = send_signed(fake_->port(), request, keys_);
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto decoder = adapter_->stream_decoder(Endpoint::chat_completions, context_);
  std::vector<std::string> chunks;
  Failure failure;
  for (size_t at = 0; at < answer.body.size(); at += 7) {
    ASSERT_TRUE(decoder->feed(std::string_view(answer.body).substr(at, 7), &chunks, &failure))
        << failure.message;
  }
  ASSERT_TRUE(decoder->finish(&chunks, &failure)) << failure.message;
  std::string text;
  std::string finish_reason;
  int prompt_tokens = -1;
  for (const std::string& chunk : chunks) {
    const auto doc = parse(chunk);
    EXPECT_STREQ(doc["model"].GetString(), "my-model");
    if (doc.HasMember("usage")) prompt_tokens = doc["usage"]["prompt_tokens"].GetInt();
    if (doc["choices"].Empty()) continue;
    const auto& choice = doc["choices"][0];
    if (choice["delta"].HasMember("content")) text += choice["delta"]["content"].GetString();
    if (choice["finish_reason"].IsString()) finish_reason = choice["finish_reason"].GetString();
  }
  EXPECT_EQ(text, "Echo: hello there");
  EXPECT_EQ(finish_reason, "stop");
  EXPECT_EQ(prompt_tokens, 2);
}

TEST_F(BedrockAgainstFakeLlm, ToolCallRoundTrip) {
  const UpstreamRequest request = build(
      Endpoint::chat_completions,
      R"({"model":"my-model","messages":[{"role":"user","content":"weather? [[fake fault=tool_call args={\"city\": \"Paris\"}]]"}],)"
      R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})");
  const HttpAnswer answer = send_signed(fake_->port(), request, keys_);
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::string out;
  Failure failure;
  ASSERT_TRUE(adapter_->translate_response(Endpoint::chat_completions, answer.body, context_, &out,
                                           &failure))
      << failure.message;
  const auto doc = parse(out);
  const auto& choice = doc["choices"][0];
  EXPECT_STREQ(choice["finish_reason"].GetString(), "tool_calls");
  const auto& call = choice["message"]["tool_calls"][0];
  EXPECT_STREQ(call["function"]["name"].GetString(), "get_weather");
  EXPECT_STREQ(parse(call["function"]["arguments"].GetString())["city"].GetString(), "Paris");

  // The result goes back as a toolResult, and the fake answers again.
  const std::string follow_up =
      std::string(R"({"model":"my-model","messages":[{"role":"user","content":"weather?"},)") +
      R"({"role":"assistant","content":null,"tool_calls":[{"id":")" + call["id"].GetString() +
      R"(","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},)" +
      R"({"role":"tool","tool_call_id":")" + call["id"].GetString() +
      R"(","content":"18 C"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]})";
  const HttpAnswer second =
      send_signed(fake_->port(), build(Endpoint::chat_completions, follow_up), keys_);
  EXPECT_EQ(second.status, 200) << second.body;
}

TEST_F(BedrockAgainstFakeLlm, TitanEmbeddings) {
  deployment_.model = "amazon.titan-embed-text-v2:0";
  const UpstreamRequest request =
      build(Endpoint::embeddings, R"({"model":"my-model","input":"one two three","dimensions":4})");
  const HttpAnswer answer = send_signed(fake_->port(), request, keys_);
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::string out;
  Failure failure;
  ASSERT_TRUE(
      adapter_->translate_response(Endpoint::embeddings, answer.body, context_, &out, &failure));
  const auto doc = parse(out);
  EXPECT_EQ(doc["data"][0]["embedding"].Size(), 4u);
  EXPECT_EQ(doc["usage"]["prompt_tokens"].GetInt(), 3);
}

TEST_F(BedrockAgainstFakeLlm, WrongSecretIsA403WithAwsMessage) {
  const UpstreamRequest request =
      build(Endpoint::chat_completions,
            R"({"model":"my-model","messages":[{"role":"user","content":"hi"}]})");
  const HttpAnswer answer =
      send_signed(fake_->port(), request, aws::Credentials{kAccessKeyId, "not-the-secret", ""});
  ASSERT_EQ(answer.status, 403);
  const Failure failure = adapter_->translate_error(answer.status, answer.body, deployment_);
  EXPECT_EQ(failure.status, 403);
  EXPECT_EQ(failure.type, "permission_error");
  EXPECT_TRUE(failure.message.starts_with("The request signature we calculated does not match"))
      << failure.message;
}

}  // namespace
}  // namespace sluice::bedrock
