#pragma once
// Several members of one JSON object found in a single pass over it, for the translators that
// read many members of one object per request or stream event: each find() walks the whole
// object again, and that walk was a large part of translating a small event.

#include <rapidjson/document.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace sluice::providers::gemini {

// The index of `name` in `names`, or N when it is not there. Lengths are compared first, as
// most names differ in length.
template <size_t N>
size_t name_index(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i].size() == name.size() &&
        std::memcmp(names[i].data(), name.data(), name.size()) == 0) {
      return i;
    }
  }
  return N;
}

// (*found)[i] is what find(object, names[i]) would return: the first member called names[i],
// or nullptr when there is none, it is null, or `object` is not an object.
template <size_t N>
void find_members(const rapidjson::Value& object, const std::array<std::string_view, N>& names,
                  std::array<const rapidjson::Value*, N>* found) {
  found->fill(nullptr);
  if (!object.IsObject()) return;
  std::array<bool, N> seen{};  // a later member of the same name does not count
  for (const auto& member : object.GetObject()) {
    const size_t i =
        name_index(names, std::string_view(member.name.GetString(), member.name.GetStringLength()));
    if (i == N || seen[i]) continue;
    seen[i] = true;
    if (!member.value.IsNull()) (*found)[i] = &member.value;
  }
}

}  // namespace sluice::providers::gemini
