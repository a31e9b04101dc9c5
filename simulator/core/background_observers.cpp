#include "simulator/core/background_observers.hpp"

#include <chrono>
#include <utility>

namespace sgprs::sim {

BackgroundObservers::BackgroundObservers(std::vector<Observer*> observers) : observers_(std::move(observers)) {
  for (const Observer* o : observers_) {
    wants_stage_deadlines_ = wants_stage_deadlines_ || o->wants_stage_deadlines();
    wants_decisions_ = wants_decisions_ || o->wants_decisions();
    wants_stage_events_ = wants_stage_events_ || o->wants_stage_events();
  }
  worker_ = std::thread([this] { work(); });
}

BackgroundObservers::~BackgroundObservers() {
  {
    std::unique_lock lock(mutex_);
    wait_until_delivered(lock);
    stop_ = true;
  }
  wake_worker_.notify_one();
  worker_.join();
}

void BackgroundObservers::work() {
  std::vector<RunEvent> batch;
  std::unique_lock lock(mutex_);
  while (true) {
    // Nobody wakes the worker for a single event: it picks up what is queued every kPickUpEvery.
    wake_worker_.wait_for(lock, std::chrono::nanoseconds(kPickUpEvery),
                          [this] { return stop_ || hurry_ || queued_.size() >= kWakeAt; });
    hurry_ = false;
    if (queued_.empty()) {
      if (stop_) return;  // and nothing left
      continue;
    }
    batch.swap(queued_);
    busy_ = true;
    lock.unlock();
    wake_producer_.notify_all();  // room again
    std::exception_ptr failed;
    try {
      for (const RunEvent& event : batch)
        for (Observer* o : observers_) o->on_event(event);
    } catch (...) {
      failed = std::current_exception();
    }
    batch.clear();
    lock.lock();
    busy_ = false;
    if (failed != nullptr) {
      error_ = failed;
      queued_.clear();
    }
    wake_producer_.notify_all();
    if (error_ != nullptr) {
      // Deliver nothing more; wait only for the stop.
      wake_worker_.wait(lock, [this] { return stop_; });
      return;
    }
  }
}

void BackgroundObservers::rethrow_if_failed() {
  if (error_ != nullptr) std::rethrow_exception(error_);
}

void BackgroundObservers::on_run_start(const RunInfo& info) {
  drain();
  info_ = info;
  for (Observer* o : observers_) o->on_run_start(info_);
}

void BackgroundObservers::on_event(const RunEvent& event) {
  bool wake = false;
  {
    std::unique_lock lock(mutex_);
    rethrow_if_failed();
    if (queued_.size() >= kMaxQueued)
      wake_producer_.wait(lock, [this] { return queued_.size() < kMaxQueued || error_ != nullptr; });
    rethrow_if_failed();
    queued_.push_back(event);
    wake = queued_.size() == kWakeAt;
  }
  if (wake) wake_worker_.notify_one();
}

void BackgroundObservers::wait_until_delivered(std::unique_lock<std::mutex>& lock) {
  hurry_ = true;  // the worker should not sleep out its pick-up period
  wake_worker_.notify_one();
  wake_producer_.wait(lock, [this] { return (queued_.empty() && !busy_) || error_ != nullptr; });
}

void BackgroundObservers::drain() {
  std::unique_lock lock(mutex_);
  wait_until_delivered(lock);
  rethrow_if_failed();
}

void BackgroundObservers::on_run_end(Ns end_ns) {
  drain();
  for (Observer* o : observers_) o->on_run_end(end_ns);
}

}  // namespace sgprs::sim
