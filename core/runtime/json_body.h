#pragma once
// A message body as the host keeps it: the raw bytes plus, when the body is JSON, one parsed
// document that every filter reads and edits by JSON pointer. The raw text is regenerated only
// when someone asks for it after an edit, so N filters cost one parse and at most one write.
// Copies share the parsed document until one of them edits it (copy on write), so the snapshots
// the attempt loop takes cost nothing until a per-attempt filter changes the body. A body assigned
// with assign_lazy() is parsed on its first JSON access: replies and upstream answers that no
// filter reads are never parsed.
//
// Parsing is in two steps. The first validates the text and indexes the members near the root
// (json_index.h); reads that stay within those members, and the replacement of a string member by
// a string, are served from the raw text and the index. Everything else (an array on the path, a
// deeper member, any other edit) builds the document first, once.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/http/message.h"
#include "core/runtime/json_index.h"

namespace sluice::runtime {

class JsonBody {
 public:
  JsonBody();
  ~JsonBody();
  JsonBody(JsonBody&&) noexcept;
  JsonBody& operator=(JsonBody&&) noexcept;
  JsonBody(const JsonBody& other);
  JsonBody& operator=(const JsonBody& other);

  // Takes raw bytes. With parse_json, validates and indexes them (iterative, at most max_depth
  // levels of nesting); returns an error message when they are not valid JSON, and then keeps
  // them raw.
  std::optional<std::string> assign(std::string raw, bool parse_json, unsigned max_depth);
  // Takes raw bytes that are JSON if they parse; parsed on the first JSON access (is_json, get_*,
  // set, remove). Bytes that turn out not to be JSON stay raw, as with assign().
  void assign_lazy(std::string raw, unsigned max_depth);
  // Validates and indexes the raw bytes held now (as assign with parse_json would).
  std::optional<std::string> parse(unsigned max_depth);
  // The raw bytes [offset, offset + length) (of raw() as it stands) become `bytes`, which may be
  // a view of them. The result is then held as assign_lazy(max_depth) holds bytes, or, with
  // max_depth 0, as raw bytes that are not JSON. False, nothing changed, when the range is not
  // within the body.
  bool splice_raw(size_t offset, size_t length, std::string_view bytes, unsigned max_depth);

  // The raw body, re-serialised if the JSON was edited since.
  const std::string& raw();
  // Whether the body has no bytes, without re-serialising an edited document (which never is).
  bool empty() const { return raw_.empty() && !doc_; }
  bool is_json() const;

  // RFC 6901 access; false when the body is not JSON or the pointer does not resolve.
  // get_json gives valid JSON for the value: its bytes as they stand in the raw text while the
  // body has not been edited through the document (whitespace and escapes as sent), otherwise
  // the document's compact serialisation. A string from get_string stays valid until the body is
  // next assigned, edited, moved or destroyed.
  // Most reads ask for members the root does not have: the index answers those inline.
  bool get_json(std::string_view pointer, std::string* out) const {
    return !absent_from_root(pointer) && find_json(pointer, out);
  }
  bool get_string(std::string_view pointer, std::string_view* out) const {
    return !absent_from_root(pointer) && find_string(pointer, out);
  }
  bool get_number(std::string_view pointer, double* out) const {
    return !absent_from_root(pointer) && find_number(pointer, out);
  }
  // Sets the value at pointer to the parsed json_value (the parent must exist). A string member
  // set to a string is rewritten in the raw text as it stands (the rest of the bytes as sent).
  bool set(std::string_view pointer, std::string_view json_value, unsigned max_depth);
  bool remove(std::string_view pointer);

 private:
  struct Doc;
  bool absent_from_root(std::string_view pointer) const {
    return pending_depth_ == 0 && index_ && index_->absent_from_root(pointer);
  }
  bool find_json(std::string_view pointer, std::string* out) const;
  bool find_string(std::string_view pointer, std::string_view* out) const;
  bool find_number(std::string_view pointer, double* out) const;
  std::optional<std::string> build_index(unsigned max_depth) const;
  // Validates and indexes bytes assign_lazy() left pending, if any (the test is inline: every read
  // makes it).
  void parse_pending() const {
    if (pending_depth_ != 0) build_index(std::exchange(pending_depth_, 0));
  }
  const Doc* document() const;  // the document, built from the indexed text on first use
  // The reads through the document (doc may be nullptr), apart from the index's reads, which stay
  // small: those are the frequent ones.
  static bool json_in(const Doc* doc, std::string_view pointer, std::string* out);
  static bool string_in(const Doc* doc, std::string_view pointer, std::string_view* out);
  static bool number_in(const Doc* doc, std::string_view pointer, double* out);
  Doc* writable_doc();  // the document, copied first when another body shares it
  bool splice_string(std::string_view pointer, std::string_view json_value);
  void edited();

  // raw_ is JSON when index_ or doc_ is set. index_ describes raw_ exactly and is dropped on any
  // edit made through the document; doc_ agrees with raw_ unless dirty_ (then it is the truth).
  std::string raw_;
  mutable std::shared_ptr<JsonIndex> index_;  // shared by copies; copied before a splice
  mutable std::shared_ptr<Doc> doc_;          // shared by copies; copied before an edit
  mutable unsigned pending_depth_ = 0;        // > 0: assign_lazy() bytes not validated yet
  bool dirty_ = false;
};

// When a body is JSON. Declared: its message's content type names JSON. Undeclared, it is JSON
// when it looks like it (curl -d and some SDKs send JSON without saying so): its first byte
// after whitespace opens an object or an array. Undeclared bodies, answers, stream events (whose
// data has no type of its own) and bodies a filter replaces are held as JSON, parsed at their
// first read, when they look like it; only a request body declared JSON is refused when it is
// not.
bool is_json_content_type(const http::Headers& headers);
bool looks_like_json(std::string_view text);

}  // namespace sluice::runtime
