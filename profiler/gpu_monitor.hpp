#pragma once
// SM clock and throttle state through NVML, loaded at run time (libnvidia-ml
// ships with the driver, not the toolkit, so the profiler must build without
// it). Where NVML is missing every reading is "unknown" and nothing is flagged.
//
//   GpuMonitor monitor(pci_bus_id);
//   GpuReading r = monitor.read();   // r.sm_clock_mhz, r.memory_clock_mhz, r.throttled, r.reasons
#include <cstdint>
#include <memory>
#include <string>

namespace sgprs::profiler {

struct GpuReading {
  bool known = false;        // false: NVML unavailable
  int sm_clock_mhz = 0;      // current SM clock
  int memory_clock_mhz = 0;  // current memory clock (0: NVML would not say)
  std::uint64_t reasons = 0; // NVML clock-event (throttle) reason bits
  bool throttled = false;    // a power, thermal or hardware slowdown reason is set
};

/// Throttle reasons as text, e.g. "sw_power_cap,hw_thermal"; "none" or "unknown".
std::string describe_reasons(const GpuReading& reading);

/// Lowest and highest of the clock readings added (MHz); `known` false until the first.
struct ClockRange {
  bool known = false;
  int min_mhz = 0;
  int max_mhz = 0;
  void add(int mhz);
  void add(const ClockRange& other);
};

/// Accumulates readings over one profile point (or a whole run): lowest SM clock, the range
/// of SM and memory clocks seen, union of reasons.
struct PointReadings {
  bool known = false;
  int min_sm_clock_mhz = 0;
  ClockRange sm_clock;
  ClockRange memory_clock;
  std::uint64_t reasons = 0;
  bool throttled = false;
  int readings = 0;
  void add(const GpuReading& reading);
  void add(const PointReadings& other);
};

class GpuMonitor {
 public:
  /// `pci_bus_id` as CUDA reports it (cuDeviceGetPCIBusId), so NVML and CUDA agree on the device.
  explicit GpuMonitor(const std::string& pci_bus_id);
  ~GpuMonitor();
  GpuMonitor(const GpuMonitor&) = delete;
  GpuMonitor& operator=(const GpuMonitor&) = delete;

  bool available() const;
  GpuReading read() const;
  /// "580.95.05" or "unknown".
  std::string driver_version() const;
  /// Highest SM and memory clocks the board allows (0 when unknown).
  int max_sm_clock_mhz() const;
  int max_memory_clock_mhz() const;

 private:
  int max_clock_mhz(int clock_type) const;
  struct Api;
  std::unique_ptr<Api> api_;
};

}  // namespace sgprs::profiler
