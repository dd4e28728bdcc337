// The reused writer empties its buffer between texts, and the chunk writer writes each chunk's
// opening members once per id and reuses its buffer: every chunk must still be the whole object,
// with the id in force when it was begun.

#include <gtest/gtest.h>

#include <string>

#include "providers/support/chunk_writer.h"
#include "providers/support/json.h"

namespace sluice::providers::support {
namespace {

std::string content_chunk(ChunkWriter& chunks, std::string_view text) {
  JsonWriter& writer = chunks.begin();
  write_key(writer, "delta");
  writer.StartObject();
  write_key(writer, "content");
  write_string(writer, text);
  writer.EndObject();
  return chunks.end();
}

TEST(SupportChunkWriter, EveryChunkOpensWithTheStreamsMembers) {
  ChunkWriter chunks("chatcmpl-1", 1795000000, "my \"model\"");
  EXPECT_EQ(content_chunk(chunks, "Hel"),
            R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795000000,)"
            R"("model":"my \"model\"","delta":{"content":"Hel"}})");
  EXPECT_EQ(content_chunk(chunks, "lo"),
            R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795000000,)"
            R"("model":"my \"model\"","delta":{"content":"lo"}})");
}

TEST(SupportChunkWriter, ANewIdAppliesToTheChunksThatFollow) {
  ChunkWriter chunks("fallback", 7, "m");
  EXPECT_EQ(content_chunk(chunks, "a"),
            R"({"id":"fallback","object":"chat.completion.chunk","created":7,"model":"m",)"
            R"("delta":{"content":"a"}})");
  chunks.set_id("msg_01");
  EXPECT_EQ(content_chunk(chunks, "b"),
            R"({"id":"msg_01","object":"chat.completion.chunk","created":7,"model":"m",)"
            R"("delta":{"content":"b"}})");
}

TEST(SupportChunkWriter, AChunkAfterAVeryLargeOneIsWhole) {
  ChunkWriter chunks("id", 1, "m");
  const std::string large(100 * 1024, 'x');
  EXPECT_EQ(content_chunk(chunks, large).size(), large.size() + content_chunk(chunks, "").size());
  EXPECT_EQ(content_chunk(chunks, "small"),
            R"({"id":"id","object":"chat.completion.chunk","created":1,"model":"m",)"
            R"("delta":{"content":"small"}})");
}

TEST(SupportReusedWriter, EachTextStartsEmpty) {
  ReusedWriter texts;
  JsonWriter& first = texts.begin();
  first.StartArray();
  first.String(std::string(20 * 1024, 'y').c_str());
  first.EndArray();
  EXPECT_EQ(texts.end().size(), 20 * 1024 + 4u);
  JsonWriter& second = texts.begin();
  second.StartObject();
  write_key(second, "a");
  second.Int(1);
  second.EndObject();
  EXPECT_EQ(texts.end(), R"({"a":1})");
}

}  // namespace
}  // namespace sluice::providers::support
