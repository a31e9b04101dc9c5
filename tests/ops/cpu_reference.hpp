#pragma once
// Plain CPU versions of the GPU ops, written from the definitions (double accumulation), for the
// op correctness tests. Tensors are dense row-major float vectors; images NCHW.
#include <cstdint>
#include <vector>

namespace sgprs::profiler::reference {

using Vec = std::vector<float>;

struct Conv {
  std::int64_t n, c, h, w;   // input
  std::int64_t out, kh, kw, sh, sw, ph, pw, groups;
  std::int64_t oh() const { return (h + 2 * ph - kh) / sh + 1; }
  std::int64_t ow() const { return (w + 2 * pw - kw) / sw + 1; }
};
Vec conv2d(const Conv& p, const Vec& x, const Vec& weight, const Vec* bias);

enum class PoolKind { kMax, kAverage };
Vec pool2d(PoolKind kind, const Conv& p, const Vec& x);  // p.out, p.groups unused

Vec relu(const Vec& x, float cap);  // cap <= 0: no cap
Vec gelu(const Vec& x);
Vec add(const Vec& a, const Vec& b);
Vec batchnorm(const Vec& x, std::int64_t channels, std::int64_t inner, const Vec& gamma, const Vec& beta,
              const Vec& mean, const Vec& var, double eps);
/// Concatenation along one axis: each part is [outer, inner_k].
Vec concat(const std::vector<Vec>& parts, const std::vector<std::int64_t>& inner, std::int64_t outer);
Vec upsample(const Vec& x, std::int64_t planes, std::int64_t h, std::int64_t w, std::int64_t scale);
Vec global_avgpool(const Vec& x, std::int64_t planes, std::int64_t size);
Vec softmax(const Vec& x, std::int64_t cols);
Vec layernorm(const Vec& x, std::int64_t cols, const Vec& gamma, const Vec& beta, double eps);
/// y[rows, out] = x[rows, in] W[out, in]^T + b.
Vec linear(const Vec& x, std::int64_t rows, std::int64_t in, const Vec& weight, const Vec* bias, std::int64_t out);
/// qkv [batch, T, 3D] -> scores [batch, heads, T, T].
Vec attention_scores(const Vec& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t dim, std::int64_t heads);
/// probs [batch, heads, T, T], qkv [batch, T, 3D] -> [batch, T, D].
Vec attention_context(const Vec& probs, const Vec& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t dim,
                      std::int64_t heads);
Vec patch_tokens(const Vec& x, std::int64_t batch, std::int64_t dim, std::int64_t patches, const Vec& cls,
                 const Vec& pos);
Vec take_token(const Vec& x, std::int64_t batch, std::int64_t tokens, std::int64_t dim, std::int64_t index);

}  // namespace sgprs::profiler::reference
