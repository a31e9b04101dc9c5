#include "profiler/gpu_monitor.hpp"

#include <dlfcn.h>

#include <algorithm>

namespace sgprs::profiler {

namespace {
// The few NVML entry points used, declared here because nvml.h is not part of
// every toolkit install. Signatures follow NVML's stable C ABI.
using NvmlReturn = int;
using NvmlDevice = void*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;
constexpr int kNvmlClockMem = 2;

// Clock-event reasons that mean the GPU ran slower than it could.
constexpr std::uint64_t kSwPowerCap = 0x4;
constexpr std::uint64_t kHwSlowdown = 0x8;
constexpr std::uint64_t kSwThermal = 0x20;
constexpr std::uint64_t kHwThermal = 0x40;
constexpr std::uint64_t kHwPowerBrake = 0x80;
constexpr std::uint64_t kSlowdownMask = kSwPowerCap | kHwSlowdown | kSwThermal | kHwThermal | kHwPowerBrake;

template <class F>
F symbol(void* lib, const char* name) {
  return reinterpret_cast<F>(dlsym(lib, name));
}
}  // namespace

struct GpuMonitor::Api {
  void* lib = nullptr;
  NvmlDevice device = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*max_clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*reasons)(NvmlDevice, unsigned long long*) = nullptr;
  NvmlReturn (*driver_version)(char*, unsigned) = nullptr;
};

GpuMonitor::GpuMonitor(const std::string& pci_bus_id) {
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return;
  auto api = std::make_unique<Api>();
  api->lib = lib;
  auto init = symbol<NvmlReturn (*)()>(lib, "nvmlInit_v2");
  auto by_bus = symbol<NvmlReturn (*)(const char*, NvmlDevice*)>(lib, "nvmlDeviceGetHandleByPciBusId_v2");
  api->shutdown = symbol<NvmlReturn (*)()>(lib, "nvmlShutdown");
  api->clock_info = symbol<NvmlReturn (*)(NvmlDevice, int, unsigned*)>(lib, "nvmlDeviceGetClockInfo");
  api->max_clock_info = symbol<NvmlReturn (*)(NvmlDevice, int, unsigned*)>(lib, "nvmlDeviceGetMaxClockInfo");
  api->reasons = symbol<NvmlReturn (*)(NvmlDevice, unsigned long long*)>(lib, "nvmlDeviceGetCurrentClocksEventReasons");
  if (api->reasons == nullptr)
    api->reasons =
        symbol<NvmlReturn (*)(NvmlDevice, unsigned long long*)>(lib, "nvmlDeviceGetCurrentClocksThrottleReasons");
  api->driver_version = symbol<NvmlReturn (*)(char*, unsigned)>(lib, "nvmlSystemGetDriverVersion");
  if (init == nullptr || by_bus == nullptr || api->clock_info == nullptr || api->reasons == nullptr ||
      init() != kNvmlSuccess) {
    dlclose(lib);
    return;
  }
  if (by_bus(pci_bus_id.c_str(), &api->device) != kNvmlSuccess) {
    if (api->shutdown) api->shutdown();
    dlclose(lib);
    return;
  }
  api_ = std::move(api);
}

GpuMonitor::~GpuMonitor() {
  if (!api_) return;
  if (api_->shutdown) api_->shutdown();
  dlclose(api_->lib);
}

bool GpuMonitor::available() const { return api_ != nullptr; }

GpuReading GpuMonitor::read() const {
  GpuReading reading;
  if (!api_) return reading;
  unsigned clock = 0;
  unsigned long long reasons = 0;
  if (api_->clock_info(api_->device, kNvmlClockSm, &clock) != kNvmlSuccess ||
      api_->reasons(api_->device, &reasons) != kNvmlSuccess)
    return reading;
  reading.known = true;
  reading.sm_clock_mhz = static_cast<int>(clock);
  unsigned memory = 0;
  if (api_->clock_info(api_->device, kNvmlClockMem, &memory) == kNvmlSuccess)
    reading.memory_clock_mhz = static_cast<int>(memory);
  reading.reasons = reasons;
  reading.throttled = (reasons & kSlowdownMask) != 0;
  return reading;
}

std::string GpuMonitor::driver_version() const {
  if (!api_ || api_->driver_version == nullptr) return "unknown";
  char text[96] = {};
  if (api_->driver_version(text, sizeof text) != kNvmlSuccess) return "unknown";
  return text;
}

int GpuMonitor::max_clock_mhz(int clock_type) const {
  unsigned clock = 0;
  if (!api_ || api_->max_clock_info == nullptr ||
      api_->max_clock_info(api_->device, clock_type, &clock) != kNvmlSuccess)
    return 0;
  return static_cast<int>(clock);
}

int GpuMonitor::max_sm_clock_mhz() const { return max_clock_mhz(kNvmlClockSm); }
int GpuMonitor::max_memory_clock_mhz() const { return max_clock_mhz(kNvmlClockMem); }

std::string describe_reasons(const GpuReading& reading) {
  if (!reading.known) return "unknown";
  struct Named {
    std::uint64_t bit;
    const char* name;
  };
  static constexpr Named kNames[] = {{kSwPowerCap, "sw_power_cap"},
                                     {kHwSlowdown, "hw_slowdown"},
                                     {kSwThermal, "sw_thermal"},
                                     {kHwThermal, "hw_thermal"},
                                     {kHwPowerBrake, "hw_power_brake"}};
  std::string text;
  for (const Named& n : kNames)
    if (reading.reasons & n.bit) text += (text.empty() ? "" : ",") + std::string(n.name);
  return text.empty() ? "none" : text;
}

void ClockRange::add(int mhz) {
  if (mhz <= 0) return;
  min_mhz = known ? std::min(min_mhz, mhz) : mhz;
  max_mhz = known ? std::max(max_mhz, mhz) : mhz;
  known = true;
}

void ClockRange::add(const ClockRange& other) {
  if (!other.known) return;
  add(other.min_mhz);
  add(other.max_mhz);
}

void PointReadings::add(const GpuReading& reading) {
  if (!reading.known) return;
  min_sm_clock_mhz = known ? std::min(min_sm_clock_mhz, reading.sm_clock_mhz) : reading.sm_clock_mhz;
  known = true;
  sm_clock.add(reading.sm_clock_mhz);
  memory_clock.add(reading.memory_clock_mhz);
  reasons |= reading.reasons;
  throttled = throttled || reading.throttled;
  ++readings;
}

void PointReadings::add(const PointReadings& other) {
  if (!other.known) return;
  min_sm_clock_mhz = known ? std::min(min_sm_clock_mhz, other.min_sm_clock_mhz) : other.min_sm_clock_mhz;
  known = true;
  sm_clock.add(other.sm_clock);
  memory_clock.add(other.memory_clock);
  reasons |= other.reasons;
  throttled = throttled || other.throttled;
  readings += other.readings;
}

}  // namespace sgprs::profiler
