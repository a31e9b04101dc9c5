#pragma once
// An owner of one cudaMalloc'd block. Move-only; share() makes a second owner of the same block
// (model instances of one model share their weights this way), freed with its last owner.
#include <cstddef>
#include <memory>

namespace sgprs::profiler::ops {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  DeviceBuffer(DeviceBuffer&& other) noexcept = default;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return block_.get(); }
  std::size_t bytes() const { return block_ ? bytes_ : 0; }
  /// Another owner of this block (empty for an empty buffer).
  DeviceBuffer share() const;

 private:
  std::shared_ptr<void> block_;
  std::size_t bytes_ = 0;
};

}  // namespace sgprs::profiler::ops
