#pragma once
// Error kinds a user can act on. A bad input file is an InputError naming the
// file and the JSON field; the CLI prints what() on one line and exits with 2.
// "No GPU" is NoGpuError (exit 3). A deadline miss is an outcome, never an error.
#include <exception>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

class InputError : public std::runtime_error {
 public:
  /// `source` is a file path or a command-line flag ("--layout"); `field` is a
  /// JSON path such as "tasks[2].period_ns" (empty when the whole file is at fault).
  InputError(std::string source, std::string field, const std::string& message);
  const std::string& source() const { return source_; }
  const std::string& field() const { return field_; }

 private:
  std::string source_;
  std::string field_;
};

class NoGpuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The GPU or a GPU library failed (a CUDA, driver, cuBLAS, cuDNN or CUPTI call returned an
/// error, or a kernel faulted). Not bad input: exit 5; what() names the failed call.
class GpuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A verb or feature this build does not have (no CUDA toolkit, not written yet).
class NotAvailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitInternalError = 1;
/// Ends a command whose failure was already reported on stderr, with this exit status.
struct QuietExit {
  int status;
};

inline constexpr int kExitInputError = 2;
inline constexpr int kExitNoGpu = 3;
inline constexpr int kExitNotAvailable = 4;
inline constexpr int kExitGpuFault = 5;

/// `text` with every control character (and DEL) written as an escape: "\n", "\t", "\r" or
/// "\xNN", so that a name or value taken from a file or a flag can never split an error line.
std::string escape_control(std::string_view text);

/// "unknown <what> '<name>' (known: a, b, c)": the one wording for a name that is not in a list.
std::string unknown_name(std::string_view what, std::string_view name, const std::vector<std::string>& known);

/// What a program prints and returns for an exception that reached main: InputError and
/// std::filesystem::filesystem_error (a path the user gave: unwritable, too long, a folder where a
/// file is expected) exit 2, NoGpuError 3, NotAvailableError 4, GpuError 5, anything else 1
/// ("internal error"). `line` is one line, "<program>: <kind>: <what()>", control characters escaped.
struct ErrorReport {
  int exit_status = kExitInternalError;
  std::string line;
};
ErrorReport describe_exception(std::exception_ptr error, std::string_view program);

}  // namespace sgprs
