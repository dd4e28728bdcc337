#pragma once
// The chat.completion.chunk objects of one stream, written by one writer kept for the whole
// stream (a ReusedWriter): the members every chunk opens with ("id", "object", "created",
// "model") are written once and copied into each chunk. Belongs to one stream decoder, on one
// thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/support/json_writer.h"
#include "providers/support/reused_writer.h"

namespace sluice::providers::support {

class ChunkWriter {
 public:
  ChunkWriter(std::string_view id, int64_t created, std::string_view model);
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // The id of the chunks that follow (a provider's own, once its stream names it).
  void set_id(std::string_view id);

  // Starts a chunk, {"id":..,"object":"chat.completion.chunk","created":..,"model":..: the
  // caller writes the object's other members through the writer returned, then calls end().
  JsonWriter& begin();

  // Closes the chunk's object and returns its text.
  std::string end();

 private:
  int64_t created_;
  std::string model_;
  std::string head_;  // the opening members' text, without the brace
  ReusedWriter writer_;
};

}  // namespace sluice::providers::support
