// The chunk writer: the opening members rendered once per id, then copied into each chunk.

#include "providers/support/chunk_writer.h"

#include "providers/support/json.h"

namespace sluice::providers::support {

ChunkWriter::ChunkWriter(std::string_view id, int64_t created, std::string_view model)
    : created_(created), model_(model) {
  set_id(id);
}

void ChunkWriter::set_id(std::string_view id) {
  JsonWriter& writer = writer_.begin();
  begin_openai_object(writer, id, "chat.completion.chunk", created_, model_);
  head_ = writer_.end().substr(1);  // without the opening brace
}

JsonWriter& ChunkWriter::begin() {
  JsonWriter& writer = writer_.begin();
  writer.StartObject();
  writer.RawMembers(head_, 4);
  return writer;
}

std::string ChunkWriter::end() {
  writer_.writer().EndObject();
  return writer_.end();
}

}  // namespace sluice::providers::support
