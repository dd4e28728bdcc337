#pragma once
// A JSON writer and its buffer kept for many texts written one after another (a stream's
// chunks), so that each text costs no allocation but its own copy; a buffer grown past 16 KiB by
// an unusually large text is let go rather than kept. One thread at a time.

#include <rapidjson/stringbuffer.h>

#include <string>

#include "providers/support/json_writer.h"

namespace sluice::providers::support {

class ReusedWriter {
 public:
  ReusedWriter() : writer_(buffer_) {}
  ReusedWriter(const ReusedWriter&) = delete;
  ReusedWriter& operator=(const ReusedWriter&) = delete;

  // The writer, emptied, for the next text.
  JsonWriter& begin();
  // The writer as it stands, mid-text.
  JsonWriter& writer() { return writer_; }
  // The text written since begin().
  std::string end();

 private:
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
};

}  // namespace sluice::providers::support
