#pragma once
// SharedState: what every worker of one fake-llm process shares — settings, the request log and
// the program queue. Settings are fixed before the workers start; the log and the queue lock
// internally.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "tools/fake-llm/bedrock_auth.h"
#include "tools/fake-llm/google_oauth.h"
#include "tools/fake-llm/program_queue.h"
#include "tools/fake-llm/request_log.h"

namespace fake_llm {

struct SharedState {
  uint32_t embedding_dim = 8;       // default vector size for /v1/embeddings
  bool verbose = false;             // one log line per request
  std::unique_ptr<RequestLog> log;  // null with --no-log
  ProgramQueue program;
  AwsKeyPair aws_keys;  // --aws-credentials: Bedrock routes check SigV4 signatures when set
  std::atomic<uint16_t> port{0};  // the listening port, once bound
  // Provider credentials to insist on; empty: any non-empty key is accepted.
  std::string anthropic_key;
  std::string azure_key;
  std::string gemini_key;
  GoogleOAuth google;  // the token endpoint's key and the access tokens it issued (Vertex AI)
};

}  // namespace fake_llm
