// The chunk writer: the opening members rendered once per id, then copied into each chunk.

#include "providers/support/chunk_writer.h"

#include "providers/support/json.h"

namespace sluice::providers::support {
namespace {

// A chunk's buffer larger than this is let go rather than kept for the rest of the stream.
constexpr size_t kKeptBufferBytes = 16 * 1024;

}  // namespace

ChunkWriter::ChunkWriter(std::string_view id, int64_t created, std::string_view model)
    : created_(created), model_(model), writer_(buffer_) {
  set_id(id);
}

void ChunkWriter::set_id(std::string_view id) {
  buffer_.Clear();
  writer_.Reset(buffer_);
  begin_openai_object(writer_, id, "chat.completion.chunk", created_, model_);
  head_.assign(buffer_.GetString() + 1, buffer_.GetSize() - 1);  // without the opening brace
}

JsonWriter& ChunkWriter::begin() {
  buffer_.Clear();
  writer_.Reset(buffer_);
  writer_.StartObject();
  writer_.RawMembers(head_, 4);
  return writer_;
}

std::string ChunkWriter::end() {
  writer_.EndObject();
  std::string text(buffer_.GetString(), buffer_.GetSize());
  if (buffer_.GetSize() > kKeptBufferBytes) {
    buffer_.Clear();
    buffer_.ShrinkToFit();
  }
  return text;
}

}  // namespace sluice::providers::support
