// Every input a fuzz target ever found a fault with (tests/fuzz/regressions/<kind>/), and the
// seed corpus, through the same loaders (tests/fuzz/loaders.cpp) in the ordinary and sanitizer
// builds: each must load or be refused with an InputError, nothing else.
#include "common/errors.hpp"
#include "tests/fuzz/loaders.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace {

namespace fs = std::filesystem;

void run_folder(const std::string& kind, const std::function<void(std::string_view)>& load) {
  int files = 0;
  for (const char* set : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(SGPRS_SOURCE_DIR) / "tests" / "fuzz" / set / kind;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      ++files;
      try {
        load(text.str());
      } catch (const sgprs::InputError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << entry.path() << ": not an InputError: " << e.what();
      }
    }
  }
  EXPECT_GT(files, 0) << kind;
}

TEST(FuzzRegressions, TaskSets) { run_folder("taskset", sgprs::fuzz::load_taskset); }
TEST(FuzzRegressions, Models) { run_folder("model", sgprs::fuzz::load_model); }
TEST(FuzzRegressions, Profiles) { run_folder("profile", sgprs::fuzz::load_profile); }
TEST(FuzzRegressions, Layouts) { run_folder("layout", sgprs::fuzz::load_layout); }
TEST(FuzzRegressions, Experiments) { run_folder("experiment", sgprs::fuzz::load_experiment); }

}  // namespace
TEST(FuzzRegressions, EventLogs) { run_folder("event_log", sgprs::fuzz::load_event_log); }
