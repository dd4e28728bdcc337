#pragma once
// A rapidjson document whose memory pool starts inside the object itself: declared on the stack,
// it parses a typical request or stream event without taking anything from the heap (a plain
// rapidjson::Document takes a 64 KiB chunk for its first value). A larger document goes on in
// heap chunks, which are freed with the object, so nothing outlives the call. Its values point
// into the object, so it is neither copied nor moved; one thread at a time, like any document.

#include <rapidjson/document.h>

#include <cstddef>

namespace sluice::providers::support {

// What a request document needs to hold a typical chat request whole (values and its text).
inline constexpr size_t kRequestDocumentBytes = 8192;
// What an answer or a stream event needs.
inline constexpr size_t kEventDocumentBytes = 2048;

// In a namespace of its own: argument-dependent lookup would otherwise put support::parse_json
// beside an adapter's own parse_json (with its nesting limit) and make the call ambiguous.
namespace local {

// The pool and its first bytes, a base so that they exist before the document that uses them.
// The parse stack's allocator is one too (a document otherwise allocates its own on the heap).
template <size_t kBytes>
struct InlinePool {
  alignas(std::max_align_t) char bytes[kBytes];
  rapidjson::MemoryPoolAllocator<> allocator{bytes, kBytes};
  rapidjson::CrtAllocator stack_allocator;
};

template <size_t kInlineBytes>
class LocalDocument : private InlinePool<kInlineBytes>, public rapidjson::Document {
 public:
  LocalDocument()
      : rapidjson::Document(&this->allocator, kParseStackBytes, &this->stack_allocator) {}
  explicit LocalDocument(rapidjson::Type type)
      : rapidjson::Document(type, &this->allocator, kParseStackBytes, &this->stack_allocator) {}

 private:
  static constexpr size_t kParseStackBytes = 1024;  // rapidjson's own default
  LocalDocument(const LocalDocument&) = delete;
  LocalDocument& operator=(const LocalDocument&) = delete;
};

}  // namespace local

using local::LocalDocument;
using RequestDocument = LocalDocument<kRequestDocumentBytes>;
using EventDocument = LocalDocument<kEventDocumentBytes>;

}  // namespace sluice::providers::support
