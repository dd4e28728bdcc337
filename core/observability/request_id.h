#pragma once
// Request ids: an incoming x-request-id is kept when well-formed, else one is generated. An id is
// held in place (RequestId, no allocation): one is made for every request.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// 1..128 characters of [A-Za-z0-9._:-].
bool is_valid_request_id(std::string_view id);

// One request's id, in place. Empty until assigned.
class RequestId {
 public:
  static constexpr size_t kMaxLength = 128;

  RequestId() = default;
  // `id` must pass is_valid_request_id (so it fits).
  explicit RequestId(std::string_view id);

  std::string_view view() const { return {bytes_, size_}; }
  operator std::string_view() const { return view(); }

 private:
  friend RequestId new_request_id();
  char bytes_[kMaxLength] = {};
  uint8_t size_ = 0;
};

// A random 128-bit id as 32 lower-case hex digits. Thread-safe.
RequestId new_request_id();

}  // namespace sluice
