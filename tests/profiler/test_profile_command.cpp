// `sgprs profile` end to end: bad input fails before any GPU work and leaves no
// file behind; on a GPU a tiny profile has the sgprs.profile/1 shape.
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "profiler/partition_pool.hpp"
#include "profiler/profile_command.hpp"
#include "profiler/profile_runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace sgprs::profiler {
namespace {

namespace fs = std::filesystem;

fs::path scratch_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "sgprs_profile_test";
  fs::create_directories(dir);
  fs::remove(dir / name);
  return dir / name;
}

void run_cli(std::vector<std::string> args) {
  CLI::App app{"test"};
  add_profile_subcommand(app);
  args.insert(args.begin(), "profile");
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
  app.parse(args);
}

TEST(ProfileCommand, UnknownOpIsAnInputErrorAndWritesNothing) {
  const fs::path out = scratch_file("bad_op.json");
  EXPECT_THROW(run_cli({"--models", "none", "--ops", "no_such_op", "--out", out.string()}), InputError);
  EXPECT_FALSE(fs::exists(out));
}

TEST(ProfileCommand, UnknownModelIsAnInputError) {
  const fs::path out = scratch_file("bad_model.json");
  EXPECT_THROW(run_cli({"--models", "no_such_model", "--ops", "none", "--out", out.string()}), InputError);
  EXPECT_FALSE(fs::exists(out));
}

TEST(ProfileCommand, BadDtypeAndSmListAreInputErrors) {
  EXPECT_THROW(run_cli({"--dtype", "int8", "--models", "none", "--ops", "none"}), InputError);
  EXPECT_THROW(run_cli({"--sms", "8,x", "--models", "none", "--ops", "none"}), InputError);
}

TEST(ProfileCommand, ResolvesModelNamesInTheModelFolder) {
  // A .json entry is a path used as given (here: a file that exists), a bare name is looked up.
  const fs::path file = scratch_file("named.json");
  write_file_atomic(file.string(), "{}");
  EXPECT_EQ(resolve_model_path(file.string(), "ignored"), file.string());
  EXPECT_EQ(resolve_model_path("named", file.parent_path().string()), file.string());
  EXPECT_THROW(resolve_model_path("nothing_here", "/nonexistent"), InputError);
}

TEST(ProfileCommandGpu, ImpossibleSmCountIsAnInputErrorAndWritesNothing) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA GPU on this machine";
  const fs::path out = scratch_file("bad_sms.json");
  EXPECT_THROW(run_cli({"--models", "none", "--ops", op_case_names().front(), "--sms", "12", "--out", out.string()}),
               InputError);
  EXPECT_FALSE(fs::exists(out));
}

TEST(ProfileCommandGpu, TinyProfileHasTheSchemaShape) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA GPU on this machine";
  const fs::path out = scratch_file("tiny.json");
  const std::string op = op_case_names().front();
  run_cli({"--models", "none", "--ops", op, "--sms", "8,64", "--timeout", "0.05", "--out", out.string()});
  const Json doc = load_json_document(out.string(), "sgprs.profile", 1);
  EXPECT_EQ(doc["sm_counts"], Json::array({8, 64}));
  EXPECT_GT(doc["device"]["sm_count"].get<int>(), 64);
  ASSERT_EQ(doc["ops"].size(), 1u);
  const Json& o = doc["ops"][0];
  EXPECT_EQ(o["name"], op);
  ASSERT_EQ(o["median_ns"].size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(o["median_ns"][i].get<Ns>(), 0);
    EXPECT_LE(o["p5_ns"][i].get<Ns>(), o["median_ns"][i].get<Ns>());
    EXPECT_GE(o["p95_ns"][i].get<Ns>(), o["median_ns"][i].get<Ns>());
    EXPECT_GE(o["samples"][i].get<int>(), 1);
  }
  // A convolution on 8x the SMs is not slower (allowing 10% noise).
  EXPECT_LE(o["median_ns"][1].get<Ns>(), o["median_ns"][0].get<Ns>() * 11 / 10);
  const int pivot = o["pivot_sms"].get<int>();
  EXPECT_TRUE(pivot == 8 || pivot == 64);
}

}  // namespace
}  // namespace sgprs::profiler
