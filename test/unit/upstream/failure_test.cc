// Tests for the CURLcode -> failure kind mapping and reason masking.

#include "core/upstream/failure.h"

#include <gtest/gtest.h>

namespace sluice::upstream {
namespace {

using runtime::UpstreamFailure;

TEST(Failure, ClassifiesCurlResults) {
  for (const CURLcode code :
       {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
        CURLE_PROXY}) {
    EXPECT_EQ(classify(code), UpstreamFailure::connect) << code;
  }
  // libcurl reports connect timeouts and total timeouts alike.
  EXPECT_EQ(classify(CURLE_OPERATION_TIMEDOUT), UpstreamFailure::timeout);
  for (const CURLcode code : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
                              CURLE_GOT_NOTHING, CURLE_HTTP2_STREAM, CURLE_HTTP2}) {
    EXPECT_EQ(classify(code), UpstreamFailure::reset) << code;
  }
  for (const CURLcode code : {CURLE_WRITE_ERROR, CURLE_OUT_OF_MEMORY, CURLE_URL_MALFORMAT,
                              CURLE_WEIRD_SERVER_REPLY, CURLE_ABORTED_BY_CALLBACK}) {
    EXPECT_EQ(classify(code), UpstreamFailure::other) << code;
  }
}

TEST(Failure, ReasonNamesTheCodeAndMasksSecrets) {
  EXPECT_EQ(failure_reason(CURLE_COULDNT_CONNECT, "", {}),
            "Couldn't connect to server (curl error 7)");
  EXPECT_EQ(failure_reason(CURLE_COULDNT_CONNECT, "Couldn't connect to server", {}),
            "Couldn't connect to server (curl error 7)");
  EXPECT_EQ(
      failure_reason(CURLE_COULDNT_RESOLVE_PROXY, "Could not resolve proxy: alice:hunter22@proxy\n",
                     {"alice", "hunter22"}),
      "Couldn't resolve proxy name (curl error 5): Could not resolve proxy: ***:***@proxy");
  EXPECT_EQ(scrub("token sk-abc and sk-abcdef", {"sk-abc", "sk-abcdef", ""}), "token *** and ***");
}

}  // namespace
}  // namespace sluice::upstream
