// filters/translate: embedding vectors as OpenAI's base64 (little-endian float32).

#include "filters/translate/embedding_base64.h"

#include <gtest/gtest.h>

namespace sluice::filters::translate {
namespace {

TEST(EmbeddingBase64Test, EachVectorBecomesBase64OfItsFloat32Bytes) {
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0, 0.5f = 00 00 00 3f.
  auto out = embeddings_as_base64(
      R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[1.0,-2.0]},)"
      R"({"object":"embedding","index":1,"embedding":[0.5]}],"model":"m"})");
  ASSERT_TRUE(out);
  EXPECT_EQ(
      *out,
      R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPwAAAMA="},)"
      R"({"object":"embedding","index":1,"embedding":"AAAAPw=="}],"model":"m"})");
}

TEST(EmbeddingBase64Test, AnythingElseIsLeftAlone) {
  EXPECT_FALSE(embeddings_as_base64("not json"));
  EXPECT_FALSE(embeddings_as_base64(R"({"data":{}})"));
  EXPECT_FALSE(embeddings_as_base64(R"({"data":[{"embedding":"already"}]})"));
  EXPECT_FALSE(embeddings_as_base64(R"({"data":[{"embedding":[1,"x"]}]})"));
  EXPECT_TRUE(embeddings_as_base64(R"({"data":[]})"));
}

}  // namespace
}  // namespace sluice::filters::translate
