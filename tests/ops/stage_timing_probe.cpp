// Not a test: prints each stage's GPU time (CUDA graph replays on the whole GPU, libraries told
// an SM count) to compare cuDNN engine policies (library_notes.hpp) in one device call:
//   sgprs_ops_probe fp32 132 resnet18 resnet50 ...
// Times are medians of 30 replays after 5 warm-ups; events around each replay.
#include "common/model.hpp"
#include "profiler/ops/model_instance.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace sgprs::profiler;

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s fp32|fp16 SM_COUNT MODEL...\n", argv[0]);
    return 2;
  }
  const DType dtype = parse_dtype(argv[1]);
  const int sms = std::stoi(argv[2]);
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "stream");
  cudaEvent_t start = nullptr, stop = nullptr;
  check(cudaEventCreate(&start), "event");
  check(cudaEventCreate(&stop), "event");
  for (int m = 3; m < argc; ++m) {
    const sgprs::Model model = sgprs::Model::load(std::string(SGPRS_SOURCE_DIR) + "/traces/models/" + argv[m] + ".json");
    ModelInstance net(model, dtype, 1);
    net.enqueue_all(stream, sms);
    check(cudaStreamSynchronize(stream), "warm-up");
    double total = 0;
    std::printf("%s %s told %d SMs:", argv[m], argv[1], sms);
    for (std::size_t s = 0; s < net.stage_count(); ++s) {
      cudaGraph_t graph = nullptr;
      cudaGraphExec_t exec = nullptr;
      check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal), "capture");
      net.enqueue_stage(s, stream, sms);
      check(cudaStreamEndCapture(stream, &graph), "capture end");
      check(cudaGraphInstantiate(&exec, graph, 0), "instantiate");
      std::vector<float> times;
      for (int i = 0; i < 35; ++i) {
        check(cudaEventRecord(start, stream), "record");
        check(cudaGraphLaunch(exec, stream), "launch");
        check(cudaEventRecord(stop, stream), "record");
        check(cudaEventSynchronize(stop), "sync");
        float ms = 0;
        check(cudaEventElapsedTime(&ms, start, stop), "elapsed");
        if (i >= 5) times.push_back(ms);
      }
      std::nth_element(times.begin(), times.begin() + static_cast<long>(times.size() / 2), times.end());
      const double us = times[times.size() / 2] * 1000.0;
      total += us;
      std::printf(" %s %.1f", net.stage_name(s).c_str(), us);
      cudaGraphExecDestroy(exec);
      cudaGraphDestroy(graph);
    }
    std::printf(" | total %.1f us\n", total);
  }
  std::printf("%s\n", library_notes().c_str());
  return 0;
}
