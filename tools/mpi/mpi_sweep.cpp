#include "tools/mpi/mpi_sweep.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace sgprs::cli {

namespace {

// Messages: every message a worker sends is a request that rank 0 answers with kWork (a chunk of
// runs) or kStop: kReady (kRequestsInFlight of them at the start), kResult (the metrics of a chunk
// it was sent) or kFailed. With two requests in flight a worker computes one chunk while the next
// is on its way, so it never waits on rank 0. Chunks shrink as the queue empties (a 1/(4 x ranks)
// share of what is left, at most kMaxChunk): short runs do not cost a message each, and the last
// runs still spread over every rank. A worker is done when it was sent a kStop and holds no chunk.
enum Tag : int { kReady = 1, kResult = 2, kFailed = 3, kWork = 4, kStop = 5 };
constexpr std::size_t kMaxChunk = 32;
constexpr int kRequestsInFlight = 2;

struct WorkMessage {
  std::int64_t item = 0;       // in rank 0's work queue
  std::int64_t run_index = 0;  // RunKey::index
};
struct ResultMessage {
  std::int64_t item = 0;
  exp::RunMetrics metrics;
};
static_assert(std::is_trivially_copyable_v<ResultMessage>);

void check(int status, const char* call) {
  if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + call);
}

/// Waits for the next message from `source` without spinning: MPI's blocking calls poll a core
/// at full speed, which on a machine with no core to spare (ranks beside compute threads, or a
/// shared node) takes it from the runs. Sleeps 20 us, doubling up to 1 ms, between looks.
MPI_Status wait_for_message(int source) {
  auto idle = std::chrono::microseconds(20);
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
    if (arrived) return status;
    std::this_thread::sleep_for(idle);
    idle = std::min(idle * 2, std::chrono::microseconds(1000));
  }
}

/// MPI_Barrier without spinning (see wait_for_message): a worker waits here while rank 0 writes
/// the outputs.
void barrier_without_spinning() {
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  auto idle = std::chrono::microseconds(20);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(idle);
    idle = std::min(idle * 2, std::chrono::microseconds(1000));
  }
}

/// MPI_Init_thread ... MPI_Finalize. Only the thread that made it calls MPI.
class MpiSession {
 public:
  MpiSession() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiSession() {
    barrier_without_spinning();
    MPI_Finalize();
  }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0;
  int size_ = 1;
};

// mpirun stops the job with SIGTERM when a rank dies: rank 0 says what that means for the sweep.
char g_stopped_message[512];
extern "C" void on_stopped(int) {
  const ssize_t ignored = ::write(STDERR_FILENO, g_stopped_message, std::strlen(g_stopped_message));
  (void)ignored;
  ::_exit(1);
}

class StopReport {
 public:
  explicit StopReport(const std::string& out_dir) {
    std::snprintf(g_stopped_message, sizeof g_stopped_message,
                  "\nsgprs: sweep stopped by the MPI launcher (a rank died or the job was cancelled); %s/runs.csv "
                  "keeps the finished runs: run the same command with --resume to finish\n",
                  out_dir.c_str());
    struct sigaction action {};
    action.sa_handler = on_stopped;
    sigaction(SIGTERM, &action, &previous_);
  }
  ~StopReport() { sigaction(SIGTERM, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

/// Rank 0: hands items out to the other ranks on this thread while `local_threads` threads compute
/// too. Returns when every rank has been told to stop.
int dispatch(const MpiSession& mpi, exp::WorkQueue& queue, int local_threads) {
  std::vector<std::thread> helpers;
  for (int t = 0; t < local_threads; ++t) helpers.emplace_back([&queue] { queue.work(); });
  int working = mpi.size() - 1;
  // Requests a worker will still send: its kReady not yet received, and one per chunk it holds.
  std::vector<int> requests_to_come(static_cast<std::size_t>(mpi.size()), kRequestsInFlight);
  // Workers hold a spare chunk, so the dispatcher's sleeps between looks cost them nothing.
  while (working > 0) {
    const MPI_Status status = wait_for_message(MPI_ANY_SOURCE);
    const int source = status.MPI_SOURCE;
    int& to_come = requests_to_come[static_cast<std::size_t>(source)];
    --to_come;
    if (status.MPI_TAG == kResult) {
      int bytes = 0;
      MPI_Get_count(&status, MPI_BYTE, &bytes);
      std::vector<ResultMessage> results(static_cast<std::size_t>(bytes) / sizeof(ResultMessage));
      MPI_Recv(results.data(), bytes, MPI_BYTE, source, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      for (const ResultMessage& result : results) queue.complete(static_cast<std::size_t>(result.item), result.metrics);
    } else if (status.MPI_TAG == kFailed) {
      int length = 0;
      MPI_Get_count(&status, MPI_CHAR, &length);
      std::string text(static_cast<std::size_t>(length), '\0');
      MPI_Recv(text.data(), length, MPI_CHAR, source, kFailed, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      queue.fail(std::make_exception_ptr(std::runtime_error("rank " + std::to_string(source) + ": " + text)));
    } else {
      MPI_Recv(nullptr, 0, MPI_BYTE, source, kReady, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    std::vector<WorkMessage> chunk;
    const std::size_t size = std::clamp<std::size_t>(queue.left() / (4 * static_cast<std::size_t>(mpi.size())), 1, kMaxChunk);
    while (chunk.size() < size)
      if (const auto item = queue.take())
        chunk.push_back({static_cast<std::int64_t>(*item), static_cast<std::int64_t>(queue.items()[*item].index)});
      else
        break;
    if (!chunk.empty()) {
      MPI_Send(chunk.data(), static_cast<int>(chunk.size() * sizeof(WorkMessage)), MPI_BYTE, source, kWork,
               MPI_COMM_WORLD);
      ++to_come;
    } else {
      MPI_Send(nullptr, 0, MPI_BYTE, source, kStop, MPI_COMM_WORLD);
      if (to_come == 0) --working;  // every request answered, the last ones with kStop
    }
  }
  for (std::thread& t : helpers) t.join();
  queue.rethrow_if_failed();
  return local_threads + mpi.size() - 1;
}

/// Rank 0, when the sweep failed before dispatch (bad --resume folder): stops every rank's first requests.
void release_workers(const MpiSession& mpi) {
  for (int source = 1; source < mpi.size(); ++source)
    for (int request = 0; request < kRequestsInFlight; ++request) {
      MPI_Recv(nullptr, 0, MPI_BYTE, source, kReady, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(nullptr, 0, MPI_BYTE, source, kStop, MPI_COMM_WORLD);
    }
}

/// Ranks 1..K-1: ask for runs, simulate them, send the metrics back, until told to stop.
void serve(const exp::PreparedExperiment& prep, const exp::RunFunction& run) {
  const std::vector<exp::RunKey> keys = exp::enumerate_runs(prep);
  for (int request = 0; request < kRequestsInFlight; ++request) MPI_Send(nullptr, 0, MPI_BYTE, 0, kReady, MPI_COMM_WORLD);
  for (int unanswered = kRequestsInFlight; unanswered > 0;) {
    const MPI_Status status = wait_for_message(0);
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    std::vector<WorkMessage> chunk(static_cast<std::size_t>(bytes) / sizeof(WorkMessage));
    MPI_Recv(chunk.data(), bytes, MPI_BYTE, 0, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    --unanswered;
    if (status.MPI_TAG == kStop) continue;
    ++unanswered;  // the kResult or kFailed below
    try {
      std::vector<ResultMessage> results;
      for (const WorkMessage& work : chunk)
        results.push_back({work.item, run(keys.at(static_cast<std::size_t>(work.run_index)))});
      MPI_Send(results.data(), static_cast<int>(results.size() * sizeof(ResultMessage)), MPI_BYTE, 0, kResult,
               MPI_COMM_WORLD);
    } catch (const std::exception& e) {
      const std::string text = e.what();
      MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, kFailed, MPI_COMM_WORLD);
    }
  }
}

}  // namespace

bool mpi_built() { return true; }

std::optional<exp::SweepResult> run_mpi_sweep(const exp::PreparedExperiment& prep, exp::SweepOptions options,
                                              const exp::RunFunction& run, const exp::RunSignature& signature) {
  const MpiSession mpi;
  if (mpi.rank() != 0) {
    serve(prep, run);
    return std::nullopt;
  }
  const StopReport report(options.out_dir);
  const int local_threads = options.jobs > 0 ? options.jobs : 1;
  bool dispatched = false;
  options.executor = [&](exp::WorkQueue& queue) {
    dispatched = true;
    return dispatch(mpi, queue, local_threads);
  };
  try {
    return exp::run_sweep(prep, options, run, signature);
  } catch (...) {
    if (!dispatched) release_workers(mpi);
    throw;
  }
}

}  // namespace sgprs::cli
