#pragma once
// Reading and writing the project's JSON files. Every file carries
// "schema": "<kind>/<version>" (for example "sgprs.profile/1"); readers accept
// only the versions they know. JsonView walks a document while remembering the
// file name and the JSON path, so each error names both.
//
//   auto doc = load_json_document("ts.json", "sgprs.taskset", 1);
//   JsonView root(doc, "ts.json");
//   for (const JsonView& task : root.array("tasks")) period = task.get<Ns>("period_ns");
//
// Only the declaration of nlohmann::json comes with this header: the full one is heavy to parse
// and most files that include this one never touch a document's members. A file that does
// includes <nlohmann/json.hpp> itself; a class that keeps a document holds a JsonValue.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

using Json = nlohmann::json;

/// Reads and parses `path` and checks its "schema" field is `kind`/`version`.
/// Throws InputError naming the file on a missing file, invalid JSON, a missing
/// or mistyped schema, another kind or an unknown version.
Json load_json_document(const std::string& path, std::string_view kind, int version);

/// Parses JSON text; InputError naming `source` when it is not JSON, is nested deeper than
/// limits::kMaxJsonDepth (checked before the parser recurses, with the line and column) or is
/// larger than limits::kMaxFileBytes.
Json parse_json_text(std::string_view text, const std::string& source);

/// Checks the "schema" field of an already parsed document (see load_json_document).
void check_schema(const Json& doc, const std::string& source, std::string_view kind, int version);

/// "<kind>/<version>", the value written to every output's "schema" field.
std::string schema_tag(std::string_view kind, int version);

/// Writes `content` to `path` through a temporary file and a rename (a PendingFile), so a
/// reader never sees a half-written file. Creates parent folders; InputError naming `path` on a
/// write error.
void write_file_atomic(const std::string& path, std::string_view content);

/// Serialises with 2-space indentation and a trailing newline.
std::string dump_pretty(const Json& doc);

/// A JSON value kept by pointer, so that a class can hold a document while its header names only
/// the forward declaration. It behaves as a Json member would: copies are deep, and a new or
/// moved-from one reads as null. Implicit from Json so that `member = doc;` reads as before.
class JsonValue {
 public:
  JsonValue();
  JsonValue(const Json& value);
  JsonValue(Json&& value);
  JsonValue(const JsonValue& other);
  JsonValue(JsonValue&& other) noexcept;
  JsonValue& operator=(const JsonValue& other);
  JsonValue& operator=(JsonValue&& other) noexcept;
  ~JsonValue();

  const Json& operator*() const;
  Json& operator*();
  const Json* operator->() const { return &**this; }
  Json* operator->() { return &**this; }

 private:
  std::unique_ptr<Json> value_;  // null reads as a JSON null
};

class JsonView {
 public:
  JsonView(const Json& node, std::string source, std::string path = "");

  bool has(std::string_view key) const;
  /// Required member of a given type; throws InputError naming file and field.
  template <class T>
  T get(std::string_view key) const;
  /// Optional member: `fallback` when absent; wrong type is still an error.
  template <class T>
  T get_or(std::string_view key, T fallback) const;
  /// Required member that is an object.
  JsonView object(std::string_view key) const;
  /// Required member that is an array; each element as a view.
  std::vector<JsonView> array(std::string_view key) const;
  /// Optional array member: empty when absent.
  std::vector<JsonView> array_or_empty(std::string_view key) const;
  /// This node itself, converted.
  template <class T>
  T as() const;

  /// Rejects members not in `known`, so that a misspelt optional field ("offest_ns") is an
  /// error instead of being silently left at its default. "schema", "description" and
  /// "comment" are always allowed. No-op when this node is not an object.
  void expect_only(std::initializer_list<std::string_view> known) const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  std::string field_path(std::string_view key) const;
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }
  const Json& raw() const { return *node_; }

 private:
  const Json* node_;
  std::string source_;
  std::string path_;
};

}  // namespace sgprs
