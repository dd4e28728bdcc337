// A request path's text, built from the root down once an error needs it.

#include "providers/support/json_path.h"

namespace sluice::providers::support {

std::string JsonPath::text() const {
  std::string text;
  append_to(&text);
  return text;
}

void JsonPath::append_to(std::string* text) const {
  if (parent_ != nullptr) parent_->append_to(text);
  if (is_index_) {
    text->append("[").append(std::to_string(index_)).append("]");
  } else {
    if (parent_ != nullptr) text->push_back('.');
    text->append(name_);
  }
}

}  // namespace sluice::providers::support
