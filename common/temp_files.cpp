#include "common/temp_files.hpp"

#include "common/errors.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace sgprs {

namespace {

// Fixed storage, so that the signal handler reads only memory that never moves or frees.
constexpr std::size_t kSlots = 64;
constexpr std::size_t kPathBytes = 4096;
enum SlotState : int { kFree = 0, kClaimed = 1, kFile = 2, kFolder = 3 };
struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes];
};
std::array<Slot, kSlots> g_slots;
std::atomic<unsigned> g_temp_counter{0};

int claim(const std::string& path, SlotState kind) {
  if (path.size() >= kPathBytes) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kClaimed)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(kind);
      return static_cast<int>(i);
    }
  }
  return -1;  // full: the file is still written safely, only a signal could leave it behind
}

void release(int slot) {
  if (slot >= 0) g_slots[static_cast<std::size_t>(slot)].state.store(kFree);
}

void remove_registered() {
  for (Slot& slot : g_slots)
    if (slot.state.load() == kFile) ::unlink(slot.path);
  for (Slot& slot : g_slots)
    if (slot.state.load() == kFolder) ::rmdir(slot.path);
}

extern "C" void remove_and_die(int signal_number) {
  remove_registered();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

std::string system_message(int error) { return std::strerror(error); }

}  // namespace

PendingFile::PendingFile(std::string path) : path_(std::move(path)) {
  namespace fs = std::filesystem;
  const fs::path target(path_);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw InputError(path_, "", "cannot create its folder (" + ec.message() + ")");
  temp_path_ = path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_temp_counter.fetch_add(1));
  slot_ = claim(temp_path_, kFile);
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) {
    const int error = errno;
    release(slot_);
    throw InputError(path_, "", "cannot be written (" + system_message(error) + ")");
  }
}

PendingFile::~PendingFile() {
  if (file_) std::fclose(file_);
  if (!published_) ::unlink(temp_path_.c_str());
  release(slot_);
}

void PendingFile::write(std::string_view text) {
  if (!file_ || text.empty()) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() && write_error_ == 0) {
    // Stop at the first failure (disk full, file-size limit) instead of running on for nothing.
    write_error_ = errno != 0 ? errno : EIO;
    throw InputError(path_, "", "could not be written completely (" + system_message(write_error_) + ")");
  }
}

void PendingFile::close() {
  if (closed_) return;
  closed_ = true;
  int error = write_error_;
  if (std::fflush(file_) != 0 && error == 0) error = errno != 0 ? errno : EIO;
  if (std::ferror(file_) != 0 && error == 0) error = EIO;
  if (std::fclose(file_) != 0 && error == 0) error = errno != 0 ? errno : EIO;
  file_ = nullptr;
  if (error != 0) throw InputError(path_, "", "could not be written completely (" + system_message(error) + ")");
}

void PendingFile::publish() {
  if (!closed_) close();
  if (published_) return;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0)
    throw InputError(path_, "", "cannot be put in place (" + system_message(errno) + ")");
  published_ = true;
  release(slot_);
  slot_ = -1;
}

void PendingFile::commit() {
  close();
  publish();
}

void remove_temp_files_now() { remove_registered(); }

void remove_temp_files_on_signals() {
  struct sigaction action {};
  action.sa_handler = remove_and_die;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

int remove_folder_on_signal_if_empty(const std::string& path) { return claim(path, kFolder); }

void forget_folder_on_signal(int handle) { release(handle); }

}  // namespace sgprs
