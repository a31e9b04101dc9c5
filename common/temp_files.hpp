#pragma once
// Outputs that appear whole or not at all. A PendingFile is written under a temporary name in
// its final folder ("<path>.tmp-<pid>-<n>") and renamed into place by publish(); destroyed
// before that, it removes the temporary. While it exists its temporary name sits in a small
// process-wide registry that remove_temp_files_on_signals() empties on SIGINT and SIGTERM, so an
// interrupted run leaves no debris either. (The registry is the one global here: a signal handler
// can reach nothing else.)
//
//   PendingFile summary(out / "summary.json"), log(out / "events.jsonl");
//   summary.write(text); ...; log.write(line); ...
//   summary.close(); log.close();      // every write error surfaces here, naming the file
//   log.publish(); summary.publish();  // only once all are complete: old outputs all kept or all replaced
#include <cstdio>
#include <string>
#include <string_view>

namespace sgprs {

class PendingFile {
 public:
  /// Creates the parent folders and opens the temporary file; InputError naming `path` if either fails.
  explicit PendingFile(std::string path);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  /// Appends; InputError naming the path at the first failed write (buffered data may fail only at close()).
  void write(std::string_view text);
  /// Flushes and closes; InputError naming the final path on any write error (disk full, quota).
  void close();
  /// Renames the closed temporary into place (InputError naming the path if that fails).
  void publish();
  /// close() then publish().
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  int slot_ = -1;
  int write_error_ = 0;  // errno of the first failed write
  bool closed_ = false;
  bool published_ = false;
};

/// Installs the SIGINT/SIGTERM handler that removes every registered temporary file (and every
/// folder registered with remove_folder_on_signal_if_empty), then dies of the same signal.
void remove_temp_files_on_signals();

/// Removes every registered temporary file and empty registered folder now, for a process about
/// to end without unwinding (std::_Exit after a GPU call that never returns).
void remove_temp_files_now();

/// A folder this run created: removed on SIGINT/SIGTERM when nothing else is in it. Returns a
/// handle for forget_folder_on_signal() (-1 when the registry is full).
int remove_folder_on_signal_if_empty(const std::string& path);
void forget_folder_on_signal(int handle);

}  // namespace sgprs
