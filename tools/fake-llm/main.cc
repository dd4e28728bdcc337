// fake-llm: the command line — options, the one "listening <host>:<port>" line on stdout once
// the listeners accept, JSON log lines on stderr, and exit 0 on SIGTERM or SIGINT.
//
//   fake-llm [--host 127.0.0.1] [--port N] [--workers N] [--no-log] [--embedding-dim N]
//            [--verbose] [--aws-credentials ACCESS_KEY_ID:SECRET] [--anthropic-key KEY]
//            [--azure-key KEY] [--gemini-key KEY] [--google-public-key PEMFILE]

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/observability/log.h"
#include "tools/fake-llm/openai_requests.h"
#include "tools/fake-llm/server.h"

namespace {

constexpr std::string_view kUsage =
    "usage: fake-llm [--host 127.0.0.1] [--port N] [--workers N] [--no-log] "
    "[--embedding-dim N] [--verbose]\n"
    "                [--aws-credentials ACCESS_KEY_ID:SECRET] [--anthropic-key KEY]\n"
    "                [--azure-key KEY] [--gemini-key KEY] [--google-public-key PEMFILE]\n";

bool parse_number(std::string_view text, unsigned long max, unsigned long* out) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > max) return false;
  *out = value;
  return true;
}

// The whole of a small file; false when it cannot be read or is larger than `max_bytes`.
bool read_small_file(const std::string& path, size_t max_bytes, std::string* out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  out->resize(max_bytes + 1);
  const size_t got = std::fread(out->data(), 1, out->size(), file);
  std::fclose(file);
  if (got > max_bytes) return false;
  out->resize(got);
  return true;
}

int usage_error(std::string_view message) {
  std::fprintf(stderr, "fake-llm: %.*s\n%.*s", static_cast<int>(message.size()), message.data(),
               static_cast<int>(kUsage.size()), kUsage.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fake_llm::ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    unsigned long number = 0;
    if (arg == "--help" || arg == "-h") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      return 0;
    } else if (arg == "--no-log") {
      options.log_requests = false;
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--host") {
      if (!take() || value.empty()) return usage_error("--host needs an IP address");
      options.host = std::string(value);
    } else if (arg == "--port") {
      if (!take() || !parse_number(value, 65535, &number)) {
        return usage_error("--port needs a number 0..65535");
      }
      options.port = static_cast<uint16_t>(number);
    } else if (arg == "--workers") {
      if (!take() || !parse_number(value, fake_llm::kMaxWorkers, &number) || number == 0) {
        return usage_error("--workers needs a number 1..256");
      }
      options.workers = static_cast<unsigned>(number);
    } else if (arg == "--embedding-dim") {
      if (!take() || !parse_number(value, fake_llm::kMaxEmbeddingDim, &number) || number == 0) {
        return usage_error("--embedding-dim needs a number 1..8192");
      }
      options.embedding_dim = static_cast<uint32_t>(number);
    } else if (arg == "--aws-credentials") {
      if (!take() || !fake_llm::parse_aws_key_pair(value, &options.aws_keys)) {
        return usage_error("--aws-credentials needs ACCESS_KEY_ID:SECRET");
      }
    } else if (arg == "--google-public-key") {
      constexpr size_t kMaxPemBytes = 64 * 1024;
      if (!take() || value.empty() ||
          !read_small_file(std::string(value), kMaxPemBytes, &options.google_public_key_pem) ||
          options.google_public_key_pem.empty()) {
        // An empty file would leave every token unchecked: refused like a missing one.
        return usage_error(
            "--google-public-key needs a readable, non-empty PEM file of at most 64 KiB");
      }
    } else if (arg == "--anthropic-key" || arg == "--azure-key" || arg == "--gemini-key") {
      if (!take() || value.empty()) return usage_error(std::string(arg) + " needs a key");
      std::string& key = arg == "--anthropic-key" ? options.anthropic_key
                         : arg == "--azure-key"   ? options.azure_key
                                                  : options.gemini_key;
      key = std::string(value);
    } else {
      return usage_error("unknown option '" + std::string(arg) + "'");
    }
  }

  // Workers inherit this mask; the main thread takes the signals with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  fake_llm::FakeServer server(options);
  std::string error;
  if (!server.start(&error)) {
    sluice::log::error("fake-llm could not listen", {{"error", error}});
    return 1;
  }
  const std::string where =
      (options.host.find(':') != std::string::npos && options.host.front() != '[')
          ? "[" + options.host + "]"
          : options.host;
  std::printf("listening %s:%u\n", where.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  sluice::log::info("fake-llm listening", {{"host", options.host},
                                           {"port", static_cast<int>(server.port())},
                                           {"workers", options.workers},
                                           {"request_log", options.log_requests},
                                           {"embedding_dim", options.embedding_dim},
                                           {"aws_signatures", options.aws_keys.enabled()}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  sluice::log::info("fake-llm stopping", {{"signal", signal_number}});
  server.stop();
  return 0;
}
