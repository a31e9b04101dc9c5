// The one-line error contract: control characters escaped, one wording for unknown names, and
// one mapping from exceptions to exit statuses for every program.
#include "common/errors.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace sgprs {
namespace {

TEST(Errors, ControlCharactersAreEscapedSoAnErrorStaysOneLine) {
  EXPECT_EQ(escape_control("a\nb\tc\rd\x1b[31m\x7f"), "a\\nb\\tc\\rd\\x1b[31m\\x7f");
  EXPECT_EQ(escape_control("caf\xc3\xa9 ok"), "caf\xc3\xa9 ok");  // UTF-8 stays as it is
  const InputError error("ts\n.json", "tasks[0].a\nb", "unknown field");
  EXPECT_STREQ(error.what(), "ts\\n.json: field 'tasks[0].a\\nb': unknown field");
}

TEST(Errors, UnknownNameListsTheKnownOnes) {
  EXPECT_EQ(unknown_name("scheduler", "fast", {"sgprs", "naive"}), "unknown scheduler 'fast' (known: sgprs, naive)");
}

TEST(Errors, EveryExceptionMapsToOneLineAndItsExitStatus) {
  const auto report = [](auto error) { return describe_exception(std::make_exception_ptr(error), "sgprs"); };
  EXPECT_EQ(report(InputError("--jobs", "", "bad")).exit_status, kExitInputError);
  EXPECT_EQ(report(InputError("--jobs", "", "bad")).line, "sgprs: error: --jobs: bad");
  EXPECT_EQ(report(NoGpuError("none")).exit_status, kExitNoGpu);
  EXPECT_EQ(report(NotAvailableError("later")).exit_status, kExitNotAvailable);
  EXPECT_EQ(report(GpuError("cuLaunch failed")).exit_status, kExitGpuFault);
  EXPECT_EQ(report(std::runtime_error("x\ny")).line, "sgprs: internal error: x\\ny");
  EXPECT_EQ(report(std::runtime_error("x")).exit_status, kExitInternalError);
  // A path the user gave that the system refuses is their input, named.
  const auto fs_error = report(std::filesystem::filesystem_error(
      "create_directories", "/ro/out", std::make_error_code(std::errc::read_only_file_system)));
  EXPECT_EQ(fs_error.exit_status, kExitInputError);
  EXPECT_EQ(fs_error.line, "sgprs: error: /ro/out: Read-only file system");
}

}  // namespace
}  // namespace sgprs
