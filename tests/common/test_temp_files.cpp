// PendingFile: an output appears whole under its name or not at all.
#include "common/errors.hpp"
#include "common/temp_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sgprs {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("sgprs-pending-" + name);
  fs::remove_all(dir);
  return dir;
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(PendingFile, AppearsOnlyWhenPublishedAndLeavesNoTemporary) {
  const fs::path dir = fresh_dir("publish");
  const fs::path target = dir / "sub" / "out.txt";
  {
    PendingFile file(target.string());
    file.write("hello ");
    file.write("world\n");
    EXPECT_FALSE(fs::exists(target)) << "visible before it is complete";
    EXPECT_EQ(files_in(target.parent_path()), 1u);  // the temporary, in the same folder
    file.close();
    EXPECT_FALSE(fs::exists(target));
    file.publish();
  }
  std::ifstream in(target);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "hello world\n");
  EXPECT_EQ(files_in(target.parent_path()), 1u);
  fs::remove_all(dir);
}

TEST(PendingFile, DestroyedUnpublishedKeepsThePreviousFileAndRemovesItsTemporary) {
  const fs::path dir = fresh_dir("abandon");
  fs::create_directories(dir);
  std::ofstream(dir / "out.txt") << "previous run\n";
  {
    PendingFile file((dir / "out.txt").string());
    file.write("half of a new");
    EXPECT_EQ(files_in(dir), 2u);
  }
  EXPECT_EQ(files_in(dir), 1u);
  std::ifstream in(dir / "out.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "previous run");
  fs::remove_all(dir);
}

TEST(PendingFile, AnUnwritablePlaceIsAnInputErrorNamingThePath) {
  const fs::path dir = fresh_dir("blocked");
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  try {
    PendingFile file((dir / "file" / "out.txt").string());  // a file where its folder should be
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind((dir / "file" / "out.txt").string(), 0), 0u) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sgprs
