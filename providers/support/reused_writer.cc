// The reused writer: its buffer is emptied, not freed, between texts.

#include "providers/support/reused_writer.h"

namespace sluice::providers::support {
namespace {

// A buffer larger than this is let go rather than kept for the texts that follow.
constexpr size_t kKeptBufferBytes = 16 * 1024;

}  // namespace

JsonWriter& ReusedWriter::begin() {
  buffer_.Clear();
  writer_.Reset(buffer_);
  return writer_;
}

std::string ReusedWriter::end() {
  std::string text(buffer_.GetString(), buffer_.GetSize());
  if (buffer_.GetSize() > kKeptBufferBytes) {
    buffer_.Clear();
    buffer_.ShrinkToFit();
  }
  return text;
}

}  // namespace sluice::providers::support
