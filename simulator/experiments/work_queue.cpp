#include "simulator/experiments/work_queue.hpp"

#include <thread>

namespace sgprs::exp {

WorkQueue::WorkQueue(const std::vector<RunKey>& items, const RunFunction& run, const ItemDone& done)
    : items_(items), run_(run), done_(done) {}

std::optional<std::size_t> WorkQueue::take() {
  if (failed_.load()) return std::nullopt;
  const std::size_t i = next_.fetch_add(1);
  if (i >= items_.size()) return std::nullopt;
  return i;
}

void WorkQueue::complete(std::size_t item, const RunMetrics& metrics) {
  done_(item, metrics);
  completed_.fetch_add(1);
}

void WorkQueue::fail(std::exception_ptr failure) {
  std::lock_guard lock(failure_mutex_);
  if (!failed_.exchange(true)) failure_ = std::move(failure);
}

void WorkQueue::work() {
  while (const auto item = take()) {
    try {
      complete(*item, run_(items_[*item]));
    } catch (...) {
      fail(std::current_exception());
      return;
    }
  }
}

void WorkQueue::rethrow_if_failed() const {
  std::lock_guard lock(failure_mutex_);
  if (failure_) std::rethrow_exception(failure_);
}

int run_on_threads(WorkQueue& queue, int threads) {
  const int used = std::max(1, std::min(threads, static_cast<int>(queue.items().size())));
  std::vector<std::thread> helpers;
  for (int t = 1; t < used; ++t) helpers.emplace_back([&queue] { queue.work(); });
  queue.work();
  for (std::thread& t : helpers) t.join();
  queue.rethrow_if_failed();
  return used;
}

}  // namespace sgprs::exp
