// JsonBody: parse-once JSON bodies with pointer access, on rapidjson.
// Parsing is iterative and depth-bounded so a hostile body cannot exhaust the stack, neither while
// parsing nor while the document is destroyed (rapidjson frees values recursively). Validation and
// the shallow reads are JsonIndex's; the document is built only for what the index cannot answer.

#include "core/runtime/json_body.h"

#include <algorithm>
#include <limits>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/runtime/json_index.h"
#include "providers/support/json_writer.h"

namespace sluice::runtime {

// The document allocates from a pool sized for the body: rapidjson's default first chunk is
// 64 KiB, and freeing a block that large makes glibc consolidate its free lists every request.
struct JsonBody::Doc {
  explicit Doc(size_t text_bytes)
      : pool(std::clamp<size_t>(text_bytes + text_bytes / 2 + 256, 1024, 64 * 1024)),
        document(&pool) {}
  rapidjson::MemoryPoolAllocator<> pool;
  rapidjson::Document document;
};

namespace {

// Forwards SAX events to a Document while refusing nesting deeper than a limit.
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(rapidjson::Document& doc, unsigned max_depth)
      : doc_(doc), max_depth_(max_depth) {}
  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool StartObject() { return ++depth_ <= max_depth_ && doc_.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return ++depth_ <= max_depth_ && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

 private:
  rapidjson::Document& doc_;
  unsigned max_depth_;
  unsigned depth_ = 0;
};

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;

// Parses text into doc: the body's text once JsonIndex has accepted it, or a value to set. `text`
// must be followed by a NUL (std::string's is): rapidjson scans strings with SIMD only over
// NUL-terminated streams. A NUL inside the text ends the stream early and is then an error.
bool parse_bounded(rapidjson::Document& doc, const std::string& text, unsigned max_depth) {
  rapidjson::StringStream stream(text.c_str());
  rapidjson::Reader reader;
  DepthLimitedHandler handler(doc, max_depth);
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document&) {
    result = reader.Parse<kParseFlags>(stream, handler);  // too deep: a handler-ended error
    return static_cast<bool>(result);
  };
  doc.Populate(generate);
  if (!result) return false;
  // Only whitespace may follow the document.
  for (size_t i = stream.Tell(); i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// RFC 6901 lookup without building a rapidjson::Pointer (which allocates its tokens): filters
// read a handful of pointers per request and most of them are absent. The URI-fragment form
// ("#/a") is left to rapidjson.
const rapidjson::Value* resolve(const rapidjson::Document& doc, std::string_view pointer) {
  if (!pointer.empty() && pointer.front() == '#') {
    rapidjson::Pointer p(pointer.data(), pointer.size());
    return p.IsValid() ? p.Get(doc) : nullptr;
  }
  const rapidjson::Value* value = &doc;
  if (pointer.empty()) return value;
  if (pointer.front() != '/') return nullptr;
  std::string unescaped;
  size_t start = 1;
  for (;;) {
    size_t end = pointer.find('/', start);
    std::string_view token =
        pointer.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (token.find('~') != std::string_view::npos) {
      unescaped.clear();
      for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] != '~') {
          unescaped.push_back(token[i]);
          continue;
        }
        if (i + 1 == token.size() || (token[i + 1] != '0' && token[i + 1] != '1')) return nullptr;
        unescaped.push_back(token[++i] == '0' ? '~' : '/');
      }
      token = unescaped;
    }
    if (value->IsObject()) {
      rapidjson::Value key(rapidjson::StringRef(token.data(), token.size()));
      auto member = value->FindMember(key);
      if (member == value->MemberEnd()) return nullptr;
      value = &member->value;
    } else if (value->IsArray()) {
      // An index is "0" or digits without a leading zero; "-" (past the end) resolves to nothing.
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token.front() == '0')) {
        return nullptr;
      }
      size_t index = 0;
      for (char c : token) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (index >= value->Size()) return nullptr;
      value = &(*value)[static_cast<rapidjson::SizeType>(index)];
    } else {
      return nullptr;
    }
    if (end == std::string_view::npos) return value;
    start = end + 1;
  }
}

// ---- raw-text splicing ----------------------------------------------------------------------

// The room a copy leaves after its text for splices (model names differ by a few bytes).
constexpr size_t kSpliceRoom = 64;
// Providers and clients differ mostly in one string ("model"): JsonBody::splice_string rewrites
// it in the raw text, found through the index, so the bytes need no re-serialisation.

size_t skip_whitespace(std::string_view text, size_t i) {
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
    ++i;
  }
  return i;
}

std::string_view trim_json(std::string_view text) {
  size_t begin = skip_whitespace(text, 0);
  size_t end = text.size();
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r' ||
                         text[end - 1] == '\n')) {
    --end;
  }
  return text.substr(begin, end - begin);
}

// A JSON string without escapes or control characters, which decodes to the bytes between its
// quotes: these are spliced without parsing them.
bool plain_json_string(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return false;
  for (char c : text.substr(1, text.size() - 2)) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

JsonBody::JsonBody() = default;
JsonBody::~JsonBody() = default;
JsonBody::JsonBody(JsonBody&&) noexcept = default;
JsonBody& JsonBody::operator=(JsonBody&&) noexcept = default;

// Copies share the index and the document (see splice_string and writable_doc). A copy is made
// to be edited (an attempt's request, whose model becomes the provider's): its text gets room to
// grow a little in place, so that splice needs not move it to a larger buffer.
JsonBody::JsonBody(const JsonBody& other) {
  *this = other;
}

JsonBody& JsonBody::operator=(const JsonBody& other) {
  if (this == &other) return *this;
  raw_.reserve(other.raw_.size() + kSpliceRoom);
  raw_ = other.raw_;
  index_ = other.index_;
  doc_ = other.doc_;
  pending_depth_ = other.pending_depth_;
  dirty_ = other.dirty_;
  return *this;
}

std::optional<std::string> JsonBody::assign(std::string raw, bool parse_json, unsigned max_depth) {
  raw_ = std::move(raw);
  index_.reset();
  doc_.reset();
  dirty_ = false;
  pending_depth_ = 0;
  if (!parse_json) return std::nullopt;
  return parse(max_depth);
}

void JsonBody::assign_lazy(std::string raw, unsigned max_depth) {
  raw_ = std::move(raw);
  index_.reset();
  doc_.reset();
  dirty_ = false;
  pending_depth_ = std::max(max_depth, 1u);
}

bool JsonBody::splice_raw(size_t offset, size_t length, std::string_view bytes,
                          unsigned max_depth) {
  const std::string& text = raw();
  if (offset > text.size() || length > text.size() - offset) return false;
  raw_.replace(offset, length, bytes.data(), bytes.size());  // handles bytes within raw_
  index_.reset();
  doc_.reset();
  dirty_ = false;
  pending_depth_ = max_depth;
  return true;
}

std::optional<std::string> JsonBody::parse(unsigned max_depth) {
  index_.reset();
  doc_.reset();
  dirty_ = false;
  pending_depth_ = 0;
  return build_index(max_depth);
}

std::optional<std::string> JsonBody::build_index(unsigned max_depth) const {
  auto index = std::make_shared<JsonIndex>();
  if (auto error = index->build(raw_, max_depth)) return error;
  index_ = std::move(index);
  return std::nullopt;
}

const JsonBody::Doc* JsonBody::document() const {
  if (!doc_ && index_) {  // the text is valid: parsing it again cannot fail
    auto doc = std::make_shared<Doc>(raw_.size());
    if (parse_bounded(doc->document, raw_, index_->max_depth())) doc_ = std::move(doc);
  }
  return doc_.get();
}

JsonBody::Doc* JsonBody::writable_doc() {
  parse_pending();
  if (!document()) return nullptr;
  if (doc_.use_count() > 1) {  // shared with a snapshot: edit a copy of our own
    auto copy = std::make_shared<Doc>(raw_.size());
    copy->document.CopyFrom(doc_->document, copy->pool);
    doc_ = std::move(copy);
  }
  return doc_.get();
}

const std::string& JsonBody::raw() {
  if (dirty_ && doc_) {
    rapidjson::StringBuffer buffer;
    providers::support::JsonWriter writer(buffer);
    doc_->document.Accept(writer);
    raw_.assign(buffer.GetString(), buffer.GetSize());
    dirty_ = false;
  }
  return raw_;
}

bool JsonBody::is_json() const {
  parse_pending();
  return index_ || doc_;
}

// Each read asks the index first and the document only when the index cannot tell.
bool JsonBody::find_json(std::string_view pointer, std::string* out) const {
  parse_pending();
  if (index_) {
    JsonIndex::Lookup hit = index_->find(raw_, pointer);
    if (hit.status == JsonIndex::Status::found) {
      auto [begin, end] = index_->span(hit.entry);
      out->assign(raw_, begin, end - begin);
      return true;
    }
    if (hit.status == JsonIndex::Status::absent) return false;
  }
  return json_in(document(), pointer, out);
}

bool JsonBody::find_string(std::string_view pointer, std::string_view* out) const {
  parse_pending();
  if (index_) {
    JsonIndex::Lookup hit = index_->find(raw_, pointer);
    if (hit.status == JsonIndex::Status::found) {
      const JsonIndex::Entry& entry = index_->entry(hit.entry);
      if (entry.type != JsonIndex::Type::string) return false;
      *out = index_->string(entry, raw_);
      return true;
    }
    if (hit.status == JsonIndex::Status::absent) return false;
  }
  return string_in(document(), pointer, out);
}

bool JsonBody::find_number(std::string_view pointer, double* out) const {
  parse_pending();
  if (index_) {
    JsonIndex::Lookup hit = index_->find(raw_, pointer);
    if (hit.status == JsonIndex::Status::found) {
      const JsonIndex::Entry& entry = index_->entry(hit.entry);
      if (entry.type != JsonIndex::Type::number) return false;
      *out = entry.number;
      return true;
    }
    if (hit.status == JsonIndex::Status::absent) return false;
  }
  return number_in(document(), pointer, out);
}

bool JsonBody::json_in(const Doc* doc, std::string_view pointer, std::string* out) {
  const rapidjson::Value* value = doc ? resolve(doc->document, pointer) : nullptr;
  if (!value) return false;
  rapidjson::StringBuffer buffer;
  providers::support::JsonWriter writer(buffer);
  value->Accept(writer);
  out->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

bool JsonBody::string_in(const Doc* doc, std::string_view pointer, std::string_view* out) {
  const rapidjson::Value* value = doc ? resolve(doc->document, pointer) : nullptr;
  if (!value || !value->IsString()) return false;
  *out = std::string_view(value->GetString(), value->GetStringLength());
  return true;
}

bool JsonBody::number_in(const Doc* doc, std::string_view pointer, double* out) {
  const rapidjson::Value* value = doc ? resolve(doc->document, pointer) : nullptr;
  if (!value || !value->IsNumber()) return false;
  *out = value->GetDouble();
  return true;
}

// What the document path below would do for this case, without the document: the index gives
// the member and the span of its value; the new bytes are their own decoded value.
bool JsonBody::splice_string(std::string_view pointer, std::string_view json_value) {
  if (!index_) return false;
  std::string_view text = trim_json(json_value);
  const bool plain = plain_json_string(text);
  if (!plain) {  // escapes: the new value is checked on its own, as the document path would
    JsonIndex value;
    if (value.build(std::string(text), 1) || value.entry(0).type != JsonIndex::Type::string) {
      return false;
    }
  }
  JsonIndex::Lookup hit = index_->find(raw_, pointer);
  if (hit.status != JsonIndex::Status::found || hit.entry == 0 ||
      index_->entry(hit.entry).type != JsonIndex::Type::string) {
    return false;
  }
  auto [begin, end] = index_->span(hit.entry);
  if (raw_.size() - (end - begin) + text.size() >= std::numeric_limits<uint32_t>::max()) {
    return false;  // past the index's offsets
  }
  doc_.reset();  // rebuilt from the new text if a read ever needs it
  if (!plain) {
    // The index keeps a plain string's bytes as its value; an escaped one is decoded when the
    // text is indexed again, on the next read.
    raw_.replace(begin, end - begin, text);
    pending_depth_ = index_->max_depth();
    index_.reset();
    return true;
  }
  if (index_.use_count() > 1) index_ = std::make_shared<JsonIndex>(*index_);  // a snapshot's
  raw_.replace(begin, end - begin, text);
  index_->string_replaced(hit.entry, text.size());
  return true;
}

// The document is now ahead of the raw text, which the index describes.
void JsonBody::edited() {
  dirty_ = true;
  index_.reset();
}

bool JsonBody::set(std::string_view pointer, std::string_view json_value, unsigned max_depth) {
  parse_pending();
  if (splice_string(pointer, json_value)) return true;
  rapidjson::Pointer p(pointer.data(), pointer.size());
  if (!p.IsValid()) return false;
  Doc* doc = writable_doc();
  if (!doc) return false;
  rapidjson::Document value(&doc->pool);
  if (!parse_bounded(value, std::string(json_value), max_depth)) return false;
  if (p.GetTokenCount() == 0) {
    doc->document.Swap(value);
    edited();
    return true;
  }
  // The parent must exist: only the last member may be created.
  rapidjson::Pointer parent(p.GetTokens(), p.GetTokenCount() - 1);
  rapidjson::Value* container = parent.Get(doc->document);
  if (!container || !(container->IsObject() || container->IsArray())) return false;
  p.Set(doc->document, value.Move());
  edited();
  return true;
}

bool JsonBody::remove(std::string_view pointer) {
  rapidjson::Pointer p(pointer.data(), pointer.size());
  if (!p.IsValid() || p.GetTokenCount() == 0) return false;
  Doc* doc = writable_doc();
  if (!doc || !p.Erase(doc->document)) return false;
  edited();
  return true;
}

bool is_json_content_type(const http::Headers& headers) {
  const std::string* type = http::find_header(headers, "content-type");
  return type && type->find("json") != std::string::npos;
}

bool looks_like_json(std::string_view text) {
  const size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (text[i] == '{' || text[i] == '[');
}

}  // namespace sluice::runtime
