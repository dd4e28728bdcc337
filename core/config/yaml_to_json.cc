// YAML -> JsonNode conversion: core-schema scalar typing, ${VAR} expansion, duplicate keys,
// bounds, and 1-based lines.

#include "core/config/yaml_to_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/config/env_expand.h"

namespace sluice::config::detail {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

JsonNode make(JsonNode::Kind kind, std::string text, std::string_view source) {
  JsonNode node;
  node.kind = kind;
  node.text = std::move(text);
  node.source = std::string(source);
  return node;
}

// Decimal digits with leading zeros removed ("0" stays).
std::string strip_zeros(std::string_view digits) {
  size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  return std::string(digits.substr(i));
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? -> JSON number text; empty if no match.
std::string float_to_json(std::string_view s) {
  std::string out;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    if (s[i] == '-') out.push_back('-');
    ++i;
  }
  size_t int_start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  std::string_view int_part = s.substr(int_start, i - int_start);
  std::string_view frac_part;
  bool has_dot = false;
  if (i < s.size() && s[i] == '.') {
    has_dot = true;
    size_t frac_start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    frac_part = s.substr(frac_start, i - frac_start);
  }
  if (int_part.empty() && frac_part.empty()) return {};
  std::string_view exponent;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp_start = i++;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i >= s.size() || !all_of(s.substr(i), is_digit)) return {};
    i = s.size();
    exponent = s.substr(exp_start);
  }
  if (i != s.size()) return {};
  out += int_part.empty() ? std::string("0") : strip_zeros(int_part);
  if (has_dot) {
    out.push_back('.');
    out += frac_part.empty() ? std::string_view("0") : frac_part;
  }
  out += exponent;
  return out;
}

// Thrown from the event handler to stop parsing once a bound is exceeded; the diagnostic has
// already been recorded.
struct Abort {};

// Builds the JsonNode tree from yaml-cpp's parse events. Working on events rather than on
// YAML::Node keeps memory and time proportional to what is accepted: the depth and value bounds
// stop the parser as soon as they are crossed, and an alias is copied only after its size has
// been checked against the value budget.
class Builder : public YAML::EventHandler {
 public:
  Builder(const std::string& file, const EnvLookup& env, const YamlLimits& limits,
          std::vector<Diagnostic>* errors, std::vector<UnsetVariable>* unset_os_environ)
      : file_(file), env_(env), limits_(limits), errors_(errors), unset_(unset_os_environ) {}

  bool has_root() const { return has_root_; }
  JsonNode& root() { return root_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) {
      fail(line_of(mark), "", "only one YAML document is allowed (found another one)");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (taking_key()) return set_key(mark, "");
    count(1, mark);
    JsonNode node;
    node.line = child_line(mark);
    complete(std::move(node), anchor, 1);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (taking_key()) {
      if (anchor != YAML::NullAnchor) remember(anchor, resolve_plain_scalar(value), 1);
      return set_key(mark, value);
    }
    count(1, mark);
    complete(scalar(mark, tag, value), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor].has_value()) {
      fail(line_of(mark), child_path(),
           "alias refers to a node that contains it (recursive aliases are not supported)");
    }
    const Anchored& anchored = *anchors_[anchor];
    if (taking_key()) {
      if (anchored.node.kind == JsonNode::Kind::kArray ||
          anchored.node.kind == JsonNode::Kind::kObject) {
        return complex_key(mark);
      }
      return set_key(mark, anchored.node.source);
    }
    count(anchored.count, mark);
    JsonNode copy = anchored.node;
    copy.line = child_line(mark);
    complete(std::move(copy), YAML::NullAnchor, anchored.count);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, JsonNode::Kind::kArray);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, JsonNode::Kind::kObject);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Anchored {
    JsonNode node;
    size_t count;  // values in `node`, charged again at each alias
  };

  struct Frame {
    JsonNode node;  // kArray or kObject being filled
    std::string path;
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t values_at_start = 0;
    bool is_key = false;  // a list or mapping used as a mapping key: dropped
    // Mappings only:
    bool want_key = true;
    std::string key;
    int key_line = 0;
    bool drop_value = false;                    // the pending key was bad or a duplicate
    std::unordered_map<std::string, int> seen;  // key -> line
  };

  static int line_of(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

  bool taking_key() const {
    return !stack_.empty() && stack_.back().node.kind == JsonNode::Kind::kObject &&
           stack_.back().want_key;
  }

  // Path and line of the value about to be completed in the current container.
  std::string child_path() const {
    if (stack_.empty()) return "";
    const Frame& top = stack_.back();
    if (top.node.kind == JsonNode::Kind::kArray) {
      return top.path + "[" + std::to_string(top.node.items.size()) + "]";
    }
    return top.path.empty() ? top.key : top.path + "." + top.key;
  }
  int child_line(const YAML::Mark& mark) const {
    if (!stack_.empty() && stack_.back().node.kind == JsonNode::Kind::kObject) {
      return stack_.back().key_line;  // a mapping value is reported on its key's line
    }
    const int line = line_of(mark);
    return line > 0 ? line : 1;
  }

  void set_key(const YAML::Mark& mark, const std::string& key) {
    Frame& top = stack_.back();
    top.want_key = false;
    top.key = key;
    top.key_line = line_of(mark);
    top.drop_value = false;
    auto [it, inserted] = top.seen.emplace(key, top.key_line);
    if (!inserted) {
      error(top.key_line, child_path(),
            "duplicate key '" + key + "' (first given at line " + std::to_string(it->second) + ")");
      top.drop_value = true;
    }
  }

  void complex_key(const YAML::Mark& mark) {
    Frame& top = stack_.back();
    error(line_of(mark), top.path, "a mapping key must be a plain string, not a list or mapping");
    top.want_key = false;
    top.key.clear();
    top.key_line = line_of(mark);
    top.drop_value = true;
  }

  void count(size_t values, const YAML::Mark& mark) {
    values_ += values;
    if (values_ > limits_.max_values) {
      fail(line_of(mark), child_path(),
           "the document has more than " + std::to_string(limits_.max_values) +
               " values (counting each alias as a copy)");
    }
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, JsonNode::Kind kind) {
    Frame frame;
    frame.is_key = taking_key();
    if (frame.is_key) complex_key(mark);
    frame.path = frame.is_key ? std::string() : child_path();
    if (static_cast<int>(stack_.size()) + 1 > limits_.max_depth) {
      fail(line_of(mark), frame.path,
           "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    count(1, mark);
    frame.node.kind = kind;
    frame.node.line = frame.is_key ? line_of(mark) : child_line(mark);
    frame.anchor = anchor;
    frame.values_at_start = values_ - 1;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.is_key) return;  // reported by complex_key(); its value is dropped
    complete(std::move(frame.node), frame.anchor, values_ - frame.values_at_start);
  }

  void remember(YAML::anchor_t anchor, const JsonNode& node, size_t values) {
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchored{node, values};
  }

  void complete(JsonNode node, YAML::anchor_t anchor, size_t values) {
    if (anchor != YAML::NullAnchor) remember(anchor, node, values);
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == JsonNode::Kind::kArray) {
      top.node.items.push_back(std::move(node));
      return;
    }
    if (!top.drop_value) top.node.members.emplace_back(top.key, std::move(node));
    top.want_key = true;
    top.drop_value = false;
  }

  JsonNode scalar(const YAML::Mark& mark, const std::string& tag, const std::string& text) {
    const int line = child_line(mark);
    Expansion expansion =
        expand_variables(text, env_, unset_ ? UnsetOsEnviron::kEmpty : UnsetOsEnviron::kError);
    for (const std::string& message : expansion.errors) error(line, child_path(), message);
    if (!expansion.unset_os_environ.empty()) {
      unset_->push_back(UnsetVariable{child_path(), line, std::move(expansion.unset_os_environ)});
    }
    JsonNode out;
    if (expansion.expanded) {
      out = make(JsonNode::Kind::kString, expansion.value, expansion.value);
      out.expanded = true;
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      out = make(JsonNode::Kind::kString, text, text);  // quoted, block or !!str: a string
    } else if (tag == "?" || tag.empty() || tag.rfind("tag:yaml.org,2002:", 0) == 0) {
      out = resolve_plain_scalar(text);
    } else {
      error(line, child_path(), "unsupported YAML tag '" + tag + "'");
      out = make(JsonNode::Kind::kString, text, text);
    }
    out.line = line;
    return out;
  }

  void error(int line, const std::string& path, std::string message) {
    errors_->push_back(Diagnostic{file_, line, display_path(path), std::move(message)});
  }
  [[noreturn]] void fail(int line, const std::string& path, std::string message) {
    error(line, path, std::move(message));
    throw Abort{};
  }

  const std::string& file_;
  const EnvLookup& env_;
  const YamlLimits& limits_;
  std::vector<Diagnostic>* errors_;
  std::vector<UnsetVariable>* unset_;  // null: an unset os.environ/VAR is an error
  std::vector<Frame> stack_;
  std::vector<std::optional<Anchored>> anchors_;  // by yaml-cpp anchor id
  JsonNode root_;
  bool has_root_ = false;
  int documents_ = 0;
  size_t values_ = 0;
};

}  // namespace

std::string display_path(std::string_view path) {
  return path.empty() ? std::string("(root)") : std::string(path);
}

JsonNode resolve_plain_scalar(std::string_view text) {
  using Kind = JsonNode::Kind;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return make(Kind::kNull, "", text);
  }
  if (text == "true" || text == "True" || text == "TRUE") return make(Kind::kBool, "true", text);
  if (text == "false" || text == "False" || text == "FALSE") {
    return make(Kind::kBool, "false", text);
  }
  // Integers: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
  {
    std::string_view digits = text;
    bool negative = false;
    if (digits[0] == '-' || digits[0] == '+') {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (all_of(digits, is_digit)) {
      std::string number = strip_zeros(digits);
      if (negative && number != "0") number.insert(0, 1, '-');
      return make(Kind::kNumber, number, text);
    }
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'x')) {
    const bool hex = text[1] == 'x';
    const std::string_view digits = text.substr(2);
    if (all_of(digits, hex ? is_hex : is_octal)) {
      uint64_t value = 0;
      const auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 8);
      if (ec == std::errc() && end == digits.data() + digits.size()) {
        return make(Kind::kNumber, std::to_string(value), text);
      }
      return make(Kind::kString, std::string(text), text);  // beyond 64 bits
    }
  }
  if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf" || text == "+.Inf" ||
      text == "+.INF") {
    return make(Kind::kString, "Infinity", text);
  }
  if (text == "-.inf" || text == "-.Inf" || text == "-.INF") {
    return make(Kind::kString, "-Infinity", text);
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return make(Kind::kString, "NaN", text);
  std::string number = float_to_json(text);
  if (!number.empty()) return make(Kind::kNumber, std::move(number), text);
  return make(Kind::kString, std::string(text), text);
}

bool yaml_to_json(std::string_view text, const std::string& file, const EnvLookup& env,
                  JsonNode* out, std::vector<Diagnostic>* errors, const YamlLimits& limits,
                  std::vector<UnsetVariable>* unset_os_environ) {
  if (text.size() > limits.max_bytes) {
    errors->push_back(Diagnostic{file, 0, "(root)",
                                 "the config is " + std::to_string(text.size()) +
                                     " bytes; the limit is " + std::to_string(limits.max_bytes)});
    return false;
  }
  Builder builder(file, env, limits, errors, unset_os_environ);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Abort&) {
    return false;
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    errors->push_back(Diagnostic{file, line, "(root)", "YAML syntax error: " + e.msg});
    return false;
  }
  if (!builder.has_root() || builder.root().is_null()) {
    errors->push_back(Diagnostic{file, 0, "(root)", "the config is empty"});
    return false;
  }
  *out = std::move(builder.root());
  return true;
}

}  // namespace sluice::config::detail
