#include "common/errors.hpp"
#include "common/json_io.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using sgprs::InputError;
using sgprs::Json;
using sgprs::JsonView;

namespace {
fs::path temp_file(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / "sgprs-test-json";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << content;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    sgprs::load_json_document(path, "sgprs.taskset", 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(JsonIo, TruncatedFileNamesFileAndSaysNotJson) {
  const auto path = temp_file("truncated.json", R"({"schema": "sgprs.taskset/1", "tasks": [)");
  const std::string error = error_of(path.string());
  EXPECT_EQ(error.rfind(path.string(), 0), 0u) << error;
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

TEST(JsonIo, NumberTooLargeForADoubleIsAnInputError) {
  // nlohmann throws out_of_range (not parse_error) for 1e400: still one line naming the file.
  const auto path = temp_file("huge.json", R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 1e400}]})");
  const std::string error = error_of(path.string());
  EXPECT_EQ(error.rfind(path.string(), 0), 0u) << error;
  EXPECT_NE(error.find("number overflow"), std::string::npos) << error;
}

TEST(JsonIo, MissingFileAndWrongSchema) {
  EXPECT_NE(error_of("/nonexistent/x.json").find("cannot open"), std::string::npos);
  const auto other = temp_file("profile.json", R"({"schema": "sgprs.profile/1"})");
  EXPECT_NE(error_of(other.string()).find("a sgprs.taskset file was expected"), std::string::npos);
  const auto future = temp_file("future.json", R"({"schema": "sgprs.taskset/7"})");
  EXPECT_NE(error_of(future.string()).find("not supported"), std::string::npos);
  const auto none = temp_file("none.json", R"({"tasks": []})");
  EXPECT_NE(error_of(none.string()).find("field 'schema': missing"), std::string::npos);
  const auto array = temp_file("array.json", "[1, 2]");
  EXPECT_NE(error_of(array.string()).find("JSON object"), std::string::npos);
}

TEST(JsonIo, ViewNamesNestedFields) {
  const Json doc = Json::parse(R"({"a": {"b": [{"c": "text"}, {"c": 2.5}]}})");
  const JsonView root(doc, "f.json");
  const auto items = root.object("a").array("b");
  EXPECT_EQ(items[0].get<std::string>("c"), "text");
  try {
    items[1].get<std::int64_t>("c");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "a.b[1].c");
    EXPECT_STREQ(e.what(), "f.json: field 'a.b[1].c': must be an integer");
  }
  EXPECT_EQ(items[1].get_or<int>("missing", 7), 7);
  EXPECT_THROW(items[0].get_or<int>("c", 7), InputError);  // present but a string
  EXPECT_EQ(JsonView(Json::parse(R"({"n": 3.0})"), "g").get<int>("n"), 3);
}

TEST(JsonIo, AtomicWriteLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / "sgprs-test-atomic" / "nested";
  fs::remove_all(dir.parent_path());
  sgprs::write_file_atomic((dir / "out.json").string(), "{}\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);
  std::ifstream in(dir / "out.json");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "{}\n");
}
