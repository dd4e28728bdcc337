#pragma once
// A message body as the host keeps it: the raw bytes plus, when the body is JSON, one parsed
// document that every filter reads and edits by JSON pointer. The raw text is regenerated only
// when someone asks for it after an edit, so N filters cost one parse and at most one write.
// Copies share the parsed document until one of them edits it (copy on write), so the snapshots
// the attempt loop takes cost nothing until a per-attempt filter changes the body. A body assigned
// with assign_lazy() is parsed on its first JSON access: replies and upstream answers that no
// filter reads are never parsed.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::runtime {

class JsonBody {
 public:
  JsonBody();
  ~JsonBody();
  JsonBody(JsonBody&&) noexcept;
  JsonBody& operator=(JsonBody&&) noexcept;
  JsonBody(const JsonBody& other);
  JsonBody& operator=(const JsonBody& other);

  // Takes raw bytes. With parse_json, parses them (iterative, at most max_depth levels of
  // nesting); returns an error message when they are not valid JSON, and then keeps them raw.
  std::optional<std::string> assign(std::string raw, bool parse_json, unsigned max_depth);
  // Takes raw bytes that are JSON if they parse; parsed on the first JSON access (is_json, get_*,
  // set, remove). Bytes that turn out not to be JSON stay raw, as with assign().
  void assign_lazy(std::string raw, unsigned max_depth);
  // Parses the raw bytes held now (as assign with parse_json would).
  std::optional<std::string> parse(unsigned max_depth);

  // The raw body, re-serialised if the JSON was edited since.
  const std::string& raw();
  // Whether the body has no bytes, without re-serialising an edited document (which never is).
  bool empty() const { return raw_.empty() && !doc_; }
  bool is_json() const;

  // RFC 6901 access; false when the body is not JSON or the pointer does not resolve.
  bool get_json(std::string_view pointer, std::string* out) const;
  bool get_string(std::string_view pointer, std::string_view* out) const;
  bool get_number(std::string_view pointer, double* out) const;
  // Sets the value at pointer to the parsed json_value (the parent must exist).
  bool set(std::string_view pointer, std::string_view json_value, unsigned max_depth);
  bool remove(std::string_view pointer);

 private:
  struct Doc;
  void parse_pending() const;
  Doc* writable_doc();  // the document, copied first when another body shares it

  std::string raw_;
  mutable std::shared_ptr<Doc> doc_;    // null when the body is not JSON (or not parsed yet)
  mutable unsigned pending_depth_ = 0;  // > 0: assign_lazy() bytes not parsed yet
  bool dirty_ = false;
};

}  // namespace sluice::runtime
