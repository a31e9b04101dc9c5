// Convolution and pooling through cuDNN. A convolution runs through the backend API
// (cudnn_backend_conv.hpp), whose heuristics take the partition's SM count, and falls back to the
// legacy (v7-style) API, which cannot, where the backend has no plan; library_notes() counts both.
// Depthwise convolutions run on the project's direct kernel instead (depthwise_conv.hpp) unless
// SGPRS_DEPTHWISE=cudnn, and a plain 1x1 one through cuBLASLt unless SGPRS_CONV1X1=cudnn
// (blas_ops.cpp); library_notes() counts them too.
// Pooling exists only in the legacy API (no SM target; it is memory-bound).
#include "profiler/cuda_check.hpp"
#include "profiler/ops/conv_layer_op.hpp"
#include "profiler/ops/cudnn_backend_conv.hpp"
#include "profiler/ops/depthwise_conv.hpp"
#include "profiler/ops/library_notes.hpp"
#include "profiler/ops/op_builders.hpp"

#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sgprs::profiler::ops {

namespace {

cudnnDataType_t cudnn_type(DType dtype) { return dtype == DType::kFp16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT; }

int to_int(std::int64_t v) { return static_cast<int>(v); }

struct TensorDesc {
  cudnnTensorDescriptor_t desc = nullptr;
  TensorDesc() { SGPRS_CUDA_CALL(cudnnCreateTensorDescriptor(&desc)); }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(desc); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  void set_nchw(DType dtype, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
    SGPRS_CUDA_CALL(cudnnSetTensor4dDescriptor(desc, CUDNN_TENSOR_NCHW, cudnn_type(dtype), to_int(n), to_int(c),
                                               to_int(h), to_int(w)));
  }
};

// [N, C, H, W] of a batched image tensor.
void set_image(TensorDesc& d, DType dtype, const TensorRef& t) {
  d.set_nchw(dtype, t.shape.at(0), t.shape.at(1), t.shape.at(2), t.shape.at(3));
}

class Conv2dOp final : public ConvLayerOp {
 public:
  Conv2dOp(const LayerSpec& spec, Precision precision, const TensorRef& x, const TensorRef& y)
      : ConvLayerOp(spec, storage_dtype(precision), x.shape.at(1)), x_(x), y_(y) {
    const DType dtype = storage_dtype(precision);
    const std::int64_t in_c = x.shape.at(1);

    set_image(x_desc_, dtype, x);
    set_image(y_desc_, dtype, y);
    bias_desc_.set_nchw(dtype, 1, spec.out_channels, 1, 1);
    SGPRS_CUDA_CALL(cudnnCreateFilterDescriptor(&w_desc_));
    SGPRS_CUDA_CALL(cudnnSetFilter4dDescriptor(w_desc_, cudnn_type(dtype), CUDNN_TENSOR_NCHW,
                                               to_int(spec.out_channels), to_int(in_c / spec.groups),
                                               to_int(spec.window.kernel_h), to_int(spec.window.kernel_w)));
    SGPRS_CUDA_CALL(cudnnCreateConvolutionDescriptor(&conv_desc_));
    SGPRS_CUDA_CALL(cudnnSetConvolution2dDescriptor(conv_desc_, to_int(spec.window.pad_h), to_int(spec.window.pad_w),
                                                    to_int(spec.window.stride_h), to_int(spec.window.stride_w), 1, 1,
                                                    CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    SGPRS_CUDA_CALL(cudnnSetConvolutionGroupCount(conv_desc_, to_int(spec.groups)));
    // Strict FP32 for fp32; TF32 allowed for tf32; tensor cores for fp16.
    SGPRS_CUDA_CALL(cudnnSetConvolutionMathType(
        conv_desc_,
        dtype == DType::kFp16 || convolutions_may_use_tf32(precision) ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));

    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> perf{};
    int returned = 0;
    SGPRS_CUDA_CALL(cudnnGetConvolutionForwardAlgorithm_v7(setup_cudnn_handle(), x_desc_.desc, w_desc_, conv_desc_,
                                                           y_desc_.desc, static_cast<int>(perf.size()), &returned,
                                                           perf.data()));
    bool found = false;
    for (int i = 0; i < returned && !found; ++i) {
      const auto& p = perf[static_cast<std::size_t>(i)];
      if (p.status != CUDNN_STATUS_SUCCESS || p.memory > kWorkspaceBytes) continue;
      // The heuristic may pick an algorithm whose real workspace differs; ask for the exact size.
      std::size_t bytes = 0;
      if (cudnnGetConvolutionForwardWorkspaceSize(setup_cudnn_handle(), x_desc_.desc, w_desc_, conv_desc_,
                                                  y_desc_.desc, p.algo, &bytes) != CUDNN_STATUS_SUCCESS ||
          bytes > kWorkspaceBytes)
        continue;
      algo_ = p.algo;
      found = true;
    }
    if (!found)
      throw GpuError("cuDNN has no forward algorithm within " + std::to_string(kWorkspaceBytes >> 20) +
                         " MiB of workspace for layer '" + spec.name + "'");

    auto& counts = conv_path_counts();
    if (!cudnn_legacy_forced()) {
      const ConvGeometry g{x.shape.at(0),        in_c,          x.shape.at(2),        x.shape.at(3),
                           spec.out_channels,    spec.window.kernel_h, spec.window.kernel_w, spec.groups,
                           y.shape.at(2),        y.shape.at(3), spec.window.stride_h, spec.window.stride_w,
                           spec.window.pad_h,    spec.window.pad_w};
      try {
        backend_ = std::make_unique<BackendConv>(g, precision, kWorkspaceBytes);
      } catch (const GpuError& e) {
        counts.note_problem("layer '" + spec.name + "': " + e.what());
      }
    }
    ++(backend_ ? counts.backend_convs : counts.legacy_convs);
  }
  ~Conv2dOp() override {
    cudnnDestroyConvolutionDescriptor(conv_desc_);
    cudnnDestroyFilterDescriptor(w_desc_);
  }

  void enqueue(const LaunchContext& ctx) override {
    const float one = 1.0f, zero = 0.0f;
    if (use_backend(ctx.sm_count)) {
      backend_->execute(ctx.handles->cudnn, ctx.sm_count, x_.data, weight_->buffer.get(), y_.data,
                        ctx.workspace);
    } else {
      SGPRS_CUDA_CALL(cudnnConvolutionForward(ctx.handles->cudnn, &one, x_desc_.desc, x_.data, w_desc_,
                                            weight_->buffer.get(), conv_desc_, algo_, ctx.workspace,
                                            kWorkspaceBytes, &zero, y_desc_.desc, y_.data));
    }
    if (bias_)
      SGPRS_CUDA_CALL(cudnnAddTensor(ctx.handles->cudnn, &one, bias_desc_.desc, bias_->buffer.get(), &one,
                                     y_desc_.desc, y_.data));
  }

 private:
  // Whether `sm_count` has a backend plan; the first query per SM count builds it and counts it.
  bool use_backend(int sm_count) {
    if (!backend_) return false;
    const int sm = sm_count > 0 ? sm_count : 0;
    {
      std::lock_guard lock(mutex_);
      if (auto it = decided_.find(sm); it != decided_.end()) return it->second;
    }
    const bool ok = backend_->has_plan(sm);
    auto& counts = conv_path_counts();
    if (!ok) {
      ++counts.legacy_fallbacks;
      counts.note_problem(backend_->last_problem());
    }
    else if (sm > 0) ++(backend_->sm_targeted(sm) ? counts.targeted_plans : counts.ranked_only_plans);
    std::lock_guard lock(mutex_);
    decided_.emplace(sm, ok);
    return ok;
  }

  TensorRef x_, y_;
  std::unique_ptr<BackendConv> backend_;
  std::mutex mutex_;
  std::map<int, bool> decided_;
  TensorDesc x_desc_, y_desc_, bias_desc_;
  cudnnFilterDescriptor_t w_desc_ = nullptr;
  cudnnConvolutionDescriptor_t conv_desc_ = nullptr;
  cudnnConvolutionFwdAlgo_t algo_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
};

// Its epilogue is the cuDNN path's: the bias, where the layer has one (batch norm and ReLU6 are
// layers of their own).
class DepthwiseConvOp final : public ConvLayerOp {
 public:
  DepthwiseConvOp(const LayerSpec& spec, DType dtype, const DepthwiseShape& shape, const TensorRef& x,
                  const TensorRef& y)
      : ConvLayerOp(spec, dtype, shape.channels), dtype_(dtype), shape_(shape), x_(x), y_(y) {
    int device = 0;
    SGPRS_CUDA_CALL(cudaGetDevice(&device));
    SGPRS_CUDA_CALL(cudaDeviceGetAttribute(&device_sms_, cudaDevAttrMultiProcessorCount, device));
    ++conv_path_counts().direct_depthwise;
  }

  void enqueue(const LaunchContext& ctx) override {
    const DepthwiseTiling tiling = depthwise_tiling(shape_, ctx.sm_count > 0 ? ctx.sm_count : device_sms_);
    depthwise_conv2d(dtype_, shape_, tiling, x_.data, weight_->buffer.get(), bias_ ? bias_->buffer.get() : nullptr,
                     y_.data, ctx.stream);
  }

 private:
  DType dtype_;
  DepthwiseShape shape_;
  TensorRef x_, y_;
  int device_sms_ = 1;
};

// The direct kernel's shape of a depthwise layer (groups == in channels == out channels), or
// nothing where the layer is not one or the kernel does not take it.
std::optional<DepthwiseShape> direct_depthwise_shape(const LayerSpec& spec, const TensorRef& x) {
  const std::int64_t in_c = x.shape.at(1);
  if (spec.groups != in_c || spec.out_channels != in_c) return std::nullopt;
  const Window2d& w = spec.window;
  const DepthwiseShape shape{x.shape.at(0), in_c,       x.shape.at(2), x.shape.at(3), w.kernel_h, w.kernel_w,
                             w.stride_h,    w.stride_w, w.pad_h,       w.pad_w};
  if (!depthwise_direct_fits(shape)) return std::nullopt;
  return shape;
}

class Pool2dOp final : public LayerOp {
 public:
  Pool2dOp(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y) : x_(x), y_(y) {
    set_image(x_desc_, dtype, x);
    set_image(y_desc_, dtype, y);
    SGPRS_CUDA_CALL(cudnnCreatePoolingDescriptor(&pool_desc_));
    const cudnnPoolingMode_t mode =
        spec.kind == OpKind::kMaxPool2d ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
    SGPRS_CUDA_CALL(cudnnSetPooling2dDescriptor(pool_desc_, mode, CUDNN_NOT_PROPAGATE_NAN,
                                                to_int(spec.window.kernel_h), to_int(spec.window.kernel_w),
                                                to_int(spec.window.pad_h), to_int(spec.window.pad_w),
                                                to_int(spec.window.stride_h), to_int(spec.window.stride_w)));
  }
  ~Pool2dOp() override { cudnnDestroyPoolingDescriptor(pool_desc_); }

  void enqueue(const LaunchContext& ctx) override {
    const float one = 1.0f, zero = 0.0f;
    SGPRS_CUDA_CALL(
        cudnnPoolingForward(ctx.handles->cudnn, pool_desc_, &one, x_desc_.desc, x_.data, &zero, y_desc_.desc, y_.data));
  }

 private:
  TensorRef x_, y_;
  TensorDesc x_desc_, y_desc_;
  cudnnPoolingDescriptor_t pool_desc_ = nullptr;
};

}  // namespace

std::unique_ptr<LayerOp> make_conv2d(const LayerSpec& spec, Precision precision, const TensorRef& x,
                                     const TensorRef& y) {
  if (conv1x1_through_gemm() && gemm_conv1x1_fits(spec, x)) return make_gemm_conv1x1(spec, precision, x, y);
  if (!depthwise_through_cudnn())
    if (const auto shape = direct_depthwise_shape(spec, x))
      return std::make_unique<DepthwiseConvOp>(spec, storage_dtype(precision), *shape, x, y);
  return std::make_unique<Conv2dOp>(spec, precision, x, y);
}
std::unique_ptr<LayerOp> make_pool2d(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y) {
  return std::make_unique<Pool2dOp>(spec, dtype, x, y);
}

}  // namespace sgprs::profiler::ops
