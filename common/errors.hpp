#pragma once
// Error kinds a user can act on. A bad input file is an InputError naming the
// file and the JSON field; the CLI prints what() on one line and exits with 2.
// "No GPU" is NoGpuError (exit 3). A deadline miss is an outcome, never an error.
#include <stdexcept>
#include <string>

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

inline constexpr int kExitInputError = 2;
inline constexpr int kExitNoGpu = 3;
inline constexpr int kExitNotAvailable = 4;
inline constexpr int kExitGpuFault = 5;

}  // namespace sgprs
