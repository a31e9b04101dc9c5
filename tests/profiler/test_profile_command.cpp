// `sgprs profile` end to end: bad input fails before any GPU work and leaves no
// file behind; on a GPU a tiny profile has the sgprs.profile/1 shape.
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "profiler/partition_pool.hpp"
#include "profiler/profile_command.hpp"
#include "profiler/profile_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
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

TEST(ProfileCommand, AFlushedL2IsForIsolatedTimesOnly) {
  // With a background load on the rest of the GPU the flush has no clean meaning (the load refills
  // L2 at once) and the measurement crawled on the H200: refused before the GPU is touched.
  try {
    run_cli({"--flush-l2", "--models", "none", "--ops", "none"});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--no-occupied"), std::string::npos) << e.what();
  }
}

TEST(ProfileCommand, UnknownPrecisionIsAnInputErrorNamingTheKnownOnes) {
  try {
    run_cli({"--precision", "bf16", "--models", "none", "--ops", "none"});
    FAIL() << "bf16 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--precision");
    EXPECT_NE(std::string(e.what()).find("known: fp32, tf32, fp16"), std::string::npos) << e.what();
  }
}

TEST(ProfileCommand, TheRetiredTf32VariableIsRefusedNotIgnored) {
  // SGPRS_CUDNN_FP32=tf32 chose TF32 before --precision did; silently ignoring it would record
  // a strict profile its user believes is tf32.
  setenv("SGPRS_CUDNN_FP32", "tf32", 1);
  EXPECT_THROW(run_cli({"--precision", "tf32", "--models", "none", "--ops", "none"}), InputError);
  unsetenv("SGPRS_CUDNN_FP32");
}

TEST(Precision, NamesRoundTrip) {
  for (const char* name : {"fp32", "tf32", "fp16"}) EXPECT_EQ(precision_name(parse_precision(name)), name);
  EXPECT_EQ(storage_dtype(Precision::kTf32), DType::kFp32);
  EXPECT_EQ(storage_dtype(Precision::kFp16), DType::kFp16);
  EXPECT_TRUE(convolutions_may_use_tf32(Precision::kTf32));
  EXPECT_FALSE(convolutions_may_use_tf32(Precision::kFp32));
}

TEST(Precision, WhatAGpuCanRun) {
  EXPECT_EQ(precision_support_problem(Precision::kTf32, 9, 0), "");   // H100/H200
  EXPECT_EQ(precision_support_problem(Precision::kFp16, 7, 0), "");   // V100
  EXPECT_EQ(precision_support_problem(Precision::kFp32, 6, 1), "");   // anything runs strict fp32
  EXPECT_NE(precision_support_problem(Precision::kTf32, 7, 5).find("compute capability 8.0"), std::string::npos);
  EXPECT_NE(precision_support_problem(Precision::kFp16, 6, 1).find("this GPU has 6.1"), std::string::npos);
}

TEST(ProfileCommand, DefaultFileIsNamedAfterTheGpuAndThePrecision) {
  EXPECT_EQ(default_profile_file("NVIDIA H200", Precision::kTf32), "h200-tf32.json");
  EXPECT_EQ(default_profile_file("NVIDIA H100 80GB HBM3", Precision::kFp32), "h100-fp32.json");
  EXPECT_EQ(default_profile_file("NVIDIA A100-SXM4-80GB", Precision::kFp16), "a100-fp16.json");
  EXPECT_EQ(default_profile_file("NVIDIA GeForce RTX 4090", Precision::kFp16), "geforce-rtx-4090-fp16.json");
  EXPECT_EQ(default_profile_file("", Precision::kFp32), "gpu-fp32.json");
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

TEST(ProfileCommandGpu, Tf32ProfileRecordsItsPrecisionClocksAndStops) {
  if (!gpu_present()) GTEST_SKIP() << "no CUDA GPU on this machine";
  const fs::path out = scratch_file("tiny-tf32.json");
  const std::string op = op_case_names().front();  // a convolution: the op TF32 applies to
  run_cli({"--precision", "tf32", "--models", "none", "--ops", op, "--sms", "8", "--timeout", "0.05", "--out",
           out.string()});
  const Json doc = load_json_document(out.string(), "sgprs.profile", 1);
  EXPECT_EQ(doc["precision"], "tf32");
  EXPECT_EQ(doc["dtype"], "fp32");  // storage
  EXPECT_NE(doc["provenance"]["precision"].get<std::string>().find("TF32"), std::string::npos);
  const Json& clocks = doc["provenance"]["clocks_seen"];
  if (doc["device"]["nvml"].get<bool>()) {
    EXPECT_GT(clocks["sm_mhz"]["min"].get<int>(), 0);
    EXPECT_LE(clocks["sm_mhz"]["min"].get<int>(), clocks["sm_mhz"]["max"].get<int>());
    EXPECT_GT(clocks["memory_mhz"]["max"].get<int>(), 0);
  }
  const std::string stop = doc["ops"][0]["stop"][0].get<std::string>();
  EXPECT_TRUE(stop == "spread" || stop == "plateau" || stop == "timeout" || stop == "sample_cap") << stop;
  const Json& by = doc["summary"]["stopped_by"];
  EXPECT_EQ(by["spread"].get<int>() + by["plateau"].get<int>() + by["timeout"].get<int>() +
                by["sample_cap"].get<int>(),
            doc["summary"]["points"].get<int>());
}

}  // namespace
}  // namespace sgprs::profiler
