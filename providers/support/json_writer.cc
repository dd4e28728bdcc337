// The JSON writer's string escaping: runs of bytes that need no escape are found a block at a
// time (json_scan.h) and copied whole.

#include "providers/support/json_writer.h"

#include "providers/support/json_scan.h"

namespace sluice::providers::support {

void JsonWriter::write_quoted(const char* text, size_t length) {
  // Room for the text as it is and its quotes, so that nothing below checks for room; each
  // escape makes room for the rest anew.
  os_->Reserve(length + 2);
  os_->PutUnsafe('"');
  for (size_t done = 0;;) {
    const size_t next = next_json_special(text, done, length);
    std::memcpy(os_->PushUnsafe(next - done), text + done, next - done);
    if (next == length) break;
    char escape[6];
    const size_t size = write_json_escape(static_cast<unsigned char>(text[next]), escape);
    done = next + 1;
    os_->Reserve(size + (length - done) + 1);
    std::memcpy(os_->PushUnsafe(size), escape, size);
  }
  os_->PutUnsafe('"');
}

}  // namespace sluice::providers::support
