#include "common/json_io.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/errors.hpp"
#include "common/limits.hpp"
#include "common/temp_files.hpp"
#include "common/time.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sgprs {

namespace {

template <class T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else return "an array";
}

template <class T>
bool holds(const Json& j) {
  if constexpr (std::is_same_v<T, bool>) return j.is_boolean();
  else if constexpr (std::is_integral_v<T>) {
    if (j.is_number_integer()) return true;
    // 3.0 is accepted as an integer; 3.5 is not.
    if (j.is_number_float()) {
      const double v = j.get<double>();
      return std::fabs(v) < 9e18 && v == static_cast<double>(static_cast<std::int64_t>(v));
    }
    return false;
  } else if constexpr (std::is_floating_point_v<T>) return j.is_number();
  else if constexpr (std::is_same_v<T, std::string>) return j.is_string();
  else return j.is_array();
}

// Whether an integer-valued JSON number fits T (a wrapped count or period is worse than an error).
template <class T>
bool fits(const Json& j) {
  using Limits = std::numeric_limits<T>;
  if (j.is_number_unsigned()) return j.get<std::uint64_t>() <= static_cast<std::uint64_t>(Limits::max());
  if (j.is_number_integer()) {
    const std::int64_t v = j.get<std::int64_t>();
    return (Limits::is_signed ? v >= static_cast<std::int64_t>(Limits::min()) : v >= 0) &&
           static_cast<std::uint64_t>(v < 0 ? 0 : v) <= static_cast<std::uint64_t>(Limits::max());
  }
  const double v = j.get<double>();  // integral, |v| < 9e18 (holds<T>)
  return v >= static_cast<double>(Limits::min()) && v <= static_cast<double>(Limits::max());
}

template <class T>
T convert(const Json& j, const JsonView& view, std::string_view key) {
  if constexpr (std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<std::int64_t>> ||
                std::is_same_v<T, std::vector<int>> || std::is_same_v<T, std::vector<std::string>>) {
    if (!j.is_array()) view.fail(key, std::string("must be ") + type_name<T>());
    T out;
    out.reserve(j.size());
    using E = typename T::value_type;
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (!holds<E>(j[i]))
        view.fail(std::string(key) + "[" + std::to_string(i) + "]", std::string("must be ") + type_name<E>());
      if constexpr (std::is_integral_v<E>) {
        if (!fits<E>(j[i])) view.fail(std::string(key) + "[" + std::to_string(i) + "]", "is out of range");
        // Integers directly: through a double, INT64_MAX would round up past the range.
        out.push_back(j[i].is_number_float() ? static_cast<E>(j[i].get<double>()) : j[i].get<E>());
      } else {
        out.push_back(j[i].get<E>());
      }
    }
    return out;
  } else {
    if (!holds<T>(j)) view.fail(key, std::string("must be ") + type_name<T>());
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!fits<T>(j)) view.fail(key, "is out of range");
      if (j.is_number_float()) return static_cast<T>(j.get<double>());
    }
    return j.get<T>();
  }
}

// Nesting depth of arrays and objects outside strings, checked on the raw text so that a hostile
// file never reaches a recursive step (parsing, copying or destroying a deep document).
void check_nesting(std::string_view text, const std::string& source) {
  int depth = 0;
  bool in_string = false;
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    }
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxJsonDepth)
        throw InputError(source, "",
                         "nests arrays and objects deeper than " + std::to_string(limits::kMaxJsonDepth) +
                             " levels (at line " + std::to_string(line) + ", column " +
                             std::to_string(i - line_start + 1) + ")");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace

std::string schema_tag(std::string_view kind, int version) { return std::string(kind) + "/" + std::to_string(version); }

void check_schema(const Json& doc, const std::string& source, std::string_view kind, int version) {
  if (!doc.is_object()) throw InputError(source, "", "expected a JSON object at the top level");
  auto it = doc.find("schema");
  if (it == doc.end()) throw InputError(source, "schema", "missing; expected \"" + schema_tag(kind, version) + "\"");
  if (!it->is_string()) throw InputError(source, "schema", "must be a string such as \"" + schema_tag(kind, version) + "\"");
  const std::string tag = it->get<std::string>();
  const auto slash = tag.rfind('/');
  const std::string got_kind = tag.substr(0, slash);
  if (got_kind != kind)
    throw InputError(source, "schema", "is \"" + tag + "\" but a " + std::string(kind) + " file was expected");
  if (slash == std::string::npos || tag.substr(slash + 1) != std::to_string(version))
    throw InputError(source, "schema",
                     "version in \"" + tag + "\" is not supported; this build reads " + schema_tag(kind, version));
}

Json parse_json_text(std::string_view text, const std::string& source) {
  if (text.size() > limits::kMaxFileBytes)
    throw InputError(source, "", "is " + std::to_string(text.size()) + " bytes; the limit is " +
                                     std::to_string(limits::kMaxFileBytes) + " bytes");
  check_nesting(text, source);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse errors, and numbers too large for a double (out_of_range.406)
    std::string what = e.what();
    // nlohmann's text starts with "[json.exception.parse_error.101] "; keep the readable part.
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(source, "", "not valid JSON (" + what + ")");
  }
}

Json load_json_document(const std::string& path, std::string_view kind, int version) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, "", "is a folder, not a file");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limits::kMaxFileBytes)
    throw InputError(path, "", "is " + std::to_string(size) + " bytes; the limit is " +
                                   std::to_string(limits::kMaxFileBytes) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  Json doc = parse_json_text(buffer.str(), path);
  check_schema(doc, path, kind, version);
  return doc;
}

void write_file_atomic(const std::string& path, std::string_view content) {
  PendingFile file(path);
  file.write(content);
  file.commit();
}

std::string dump_pretty(const Json& doc) { return doc.dump(2) + "\n"; }

// Always allocated except when moved from, so that reading a shared one never allocates.
JsonValue::JsonValue() : value_(std::make_unique<Json>()) {}
JsonValue::JsonValue(const Json& value) : value_(std::make_unique<Json>(value)) {}
JsonValue::JsonValue(Json&& value) : value_(std::make_unique<Json>(std::move(value))) {}
JsonValue::JsonValue(const JsonValue& other) : value_(std::make_unique<Json>(*other)) {}
JsonValue::JsonValue(JsonValue&& other) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue& other) {
  if (this != &other) value_ = std::make_unique<Json>(*other);
  return *this;
}
JsonValue& JsonValue::operator=(JsonValue&& other) noexcept = default;
JsonValue::~JsonValue() = default;

const Json& JsonValue::operator*() const {
  static const Json null_value;
  return value_ ? *value_ : null_value;
}

Json& JsonValue::operator*() {
  if (!value_) value_ = std::make_unique<Json>();
  return *value_;
}

JsonView::JsonView(const Json& node, std::string source, std::string path)
    : node_(&node), source_(std::move(source)), path_(std::move(path)) {}

std::string JsonView::field_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (!key.empty() && key.front() == '[') return path_ + std::string(key);
  return path_ + "." + std::string(key);
}

void JsonView::fail(std::string_view key, const std::string& message) const {
  throw InputError(source_, key.empty() ? path_ : field_path(key), message);
}

void JsonView::expect_only(std::initializer_list<std::string_view> known) const {
  if (!node_->is_object()) return;
  for (const auto& [key, value] : node_->items()) {
    if (key == "schema" || key == "description" || key == "comment") continue;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    fail(key, "unknown field (known here: " + list + ")");
  }
}

bool JsonView::has(std::string_view key) const { return node_->is_object() && node_->contains(key); }

template <class T>
T JsonView::get(std::string_view key) const {
  if (!node_->is_object()) fail("", "must be an object");
  auto it = node_->find(key);
  if (it == node_->end()) fail(key, "missing");
  return convert<T>(*it, *this, key);
}

template <class T>
T JsonView::get_or(std::string_view key, T fallback) const {
  if (!has(key)) return fallback;
  return get<T>(key);
}

template <class T>
T JsonView::as() const {
  JsonView parent = *this;
  return convert<T>(*node_, parent, "");
}

JsonView JsonView::object(std::string_view key) const {
  if (!node_->is_object()) fail("", "must be an object");
  auto it = node_->find(key);
  if (it == node_->end()) fail(key, "missing");
  if (!it->is_object()) fail(key, "must be an object");
  return JsonView(*it, source_, field_path(key));
}

std::vector<JsonView> JsonView::array(std::string_view key) const {
  if (!node_->is_object()) fail("", "must be an object");
  auto it = node_->find(key);
  if (it == node_->end()) fail(key, "missing");
  if (!it->is_array()) fail(key, "must be an array");
  std::vector<JsonView> out;
  out.reserve(it->size());
  const std::string base = field_path(key);
  for (std::size_t i = 0; i < it->size(); ++i) out.emplace_back((*it)[i], source_, base + "[" + std::to_string(i) + "]");
  return out;
}

std::vector<JsonView> JsonView::array_or_empty(std::string_view key) const {
  if (!has(key)) return {};
  return array(key);
}

#define SGPRS_JSONVIEW_INSTANTIATE(T)                                     \
  template T JsonView::get<T>(std::string_view) const;                    \
  template T JsonView::get_or<T>(std::string_view, T) const;              \
  template T JsonView::as<T>() const;
SGPRS_JSONVIEW_INSTANTIATE(bool)
SGPRS_JSONVIEW_INSTANTIATE(int)
SGPRS_JSONVIEW_INSTANTIATE(std::int64_t)
SGPRS_JSONVIEW_INSTANTIATE(double)
SGPRS_JSONVIEW_INSTANTIATE(std::string)
SGPRS_JSONVIEW_INSTANTIATE(std::vector<int>)
SGPRS_JSONVIEW_INSTANTIATE(std::vector<std::int64_t>)
SGPRS_JSONVIEW_INSTANTIATE(std::vector<double>)
SGPRS_JSONVIEW_INSTANTIATE(std::vector<std::string>)
#undef SGPRS_JSONVIEW_INSTANTIATE

}  // namespace sgprs
