// A field path's text, built only for an error message.

#include "core/apis/field_path.h"

namespace sluice::apis {

std::string FieldPath::text() const {
  std::string out;
  for (size_t i = 0; i < count_; ++i) {
    if (i > 0) out.push_back('.');
    if (segments_[i].name.empty()) {
      out.append(std::to_string(segments_[i].index));
    } else {
      out.append(segments_[i].name);
    }
  }
  return out;
}

}  // namespace sluice::apis
