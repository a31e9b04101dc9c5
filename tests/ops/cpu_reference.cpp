#include "cpu_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sgprs::profiler::reference {

namespace {
std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }
}  // namespace

Vec conv2d(const Conv& p, const Vec& x, const Vec& weight, const Vec* bias) {
  const std::int64_t oh = p.oh(), ow = p.ow(), cg = p.c / p.groups, og = p.out / p.groups;
  Vec y(at(p.n * p.out * oh * ow));
  for (std::int64_t n = 0; n < p.n; ++n)
    for (std::int64_t o = 0; o < p.out; ++o) {
      const std::int64_t g = o / og;
      for (std::int64_t i = 0; i < oh; ++i)
        for (std::int64_t j = 0; j < ow; ++j) {
          double sum = bias ? (*bias)[at(o)] : 0.0;
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t a = 0; a < p.kh; ++a)
              for (std::int64_t b = 0; b < p.kw; ++b) {
                const std::int64_t yy = i * p.sh - p.ph + a, xx = j * p.sw - p.pw + b;
                if (yy < 0 || yy >= p.h || xx < 0 || xx >= p.w) continue;
                sum += static_cast<double>(x[at(((n * p.c + g * cg + c) * p.h + yy) * p.w + xx)]) *
                       weight[at(((o * cg + c) * p.kh + a) * p.kw + b)];
              }
          y[at(((n * p.out + o) * oh + i) * ow + j)] = static_cast<float>(sum);
        }
    }
  return y;
}

Vec pool2d(PoolKind kind, const Conv& p, const Vec& x) {
  const std::int64_t oh = p.oh(), ow = p.ow();
  Vec y(at(p.n * p.c * oh * ow));
  for (std::int64_t plane = 0; plane < p.n * p.c; ++plane)
    for (std::int64_t i = 0; i < oh; ++i)
      for (std::int64_t j = 0; j < ow; ++j) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
        for (std::int64_t a = 0; a < p.kh; ++a)
          for (std::int64_t b = 0; b < p.kw; ++b) {
            const std::int64_t yy = i * p.sh - p.ph + a, xx = j * p.sw - p.pw + b;
            if (yy < 0 || yy >= p.h || xx < 0 || xx >= p.w) continue;  // padding: -inf for max, 0 for sum
            const double v = x[at((plane * p.h + yy) * p.w + xx)];
            best = std::max(best, v);
            sum += v;
          }
        // The average divides by the whole window, padding included (PyTorch's default).
        y[at((plane * oh + i) * ow + j)] =
            static_cast<float>(kind == PoolKind::kMax ? best : sum / static_cast<double>(p.kh * p.kw));
      }
  return y;
}

Vec relu(const Vec& x, float cap) {
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = cap > 0 ? std::clamp(x[i], 0.0f, cap) : std::max(x[i], 0.0f);
  return y;
}

Vec gelu(const Vec& x) {
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    y[i] = static_cast<float>(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
  }
  return y;
}

Vec add(const Vec& a, const Vec& b) {
  Vec y(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) y[i] = a[i] + b[i];
  return y;
}

Vec batchnorm(const Vec& x, std::int64_t channels, std::int64_t inner, const Vec& gamma, const Vec& beta,
              const Vec& mean, const Vec& var, double eps) {
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = at((static_cast<std::int64_t>(i) / inner) % channels);
    y[i] = static_cast<float>((x[i] - mean[c]) / std::sqrt(var[c] + eps) * gamma[c] + beta[c]);
  }
  return y;
}

Vec concat(const std::vector<Vec>& parts, const std::vector<std::int64_t>& inner, std::int64_t outer) {
  Vec y;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::size_t k = 0; k < parts.size(); ++k)
      y.insert(y.end(), parts[k].begin() + o * inner[k], parts[k].begin() + (o + 1) * inner[k]);
  return y;
}

Vec upsample(const Vec& x, std::int64_t planes, std::int64_t h, std::int64_t w, std::int64_t scale) {
  Vec y(at(planes * h * w * scale * scale));
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t i = 0; i < h * scale; ++i)
      for (std::int64_t j = 0; j < w * scale; ++j)
        y[at((p * h * scale + i) * w * scale + j)] = x[at((p * h + i / scale) * w + j / scale)];
  return y;
}

Vec global_avgpool(const Vec& x, std::int64_t planes, std::int64_t size) {
  Vec y(at(planes));
  for (std::int64_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < size; ++i) sum += x[at(p * size + i)];
    y[at(p)] = static_cast<float>(sum / static_cast<double>(size));
  }
  return y;
}

Vec softmax(const Vec& x, std::int64_t cols) {
  Vec y(x.size());
  for (std::size_t r = 0; r < x.size() / at(cols); ++r) {
    const auto begin = x.begin() + static_cast<std::ptrdiff_t>(r * at(cols));
    const double m = *std::max_element(begin, begin + cols);
    double sum = 0.0;
    for (std::int64_t j = 0; j < cols; ++j) sum += std::exp(begin[j] - m);
    for (std::int64_t j = 0; j < cols; ++j) y[r * at(cols) + at(j)] = static_cast<float>(std::exp(begin[j] - m) / sum);
  }
  return y;
}

Vec layernorm(const Vec& x, std::int64_t cols, const Vec& gamma, const Vec& beta, double eps) {
  Vec y(x.size());
  for (std::size_t r = 0; r < x.size() / at(cols); ++r) {
    double mean = 0.0, sq = 0.0;
    for (std::int64_t j = 0; j < cols; ++j) mean += x[r * at(cols) + at(j)];
    mean /= static_cast<double>(cols);
    for (std::int64_t j = 0; j < cols; ++j) sq += std::pow(x[r * at(cols) + at(j)] - mean, 2);
    const double rstd = 1.0 / std::sqrt(sq / static_cast<double>(cols) + eps);
    for (std::int64_t j = 0; j < cols; ++j)
      y[r * at(cols) + at(j)] = static_cast<float>((x[r * at(cols) + at(j)] - mean) * rstd * gamma[at(j)] + beta[at(j)]);
  }
  return y;
}

Vec linear(const Vec& x, std::int64_t rows, std::int64_t in, const Vec& weight, const Vec* bias, std::int64_t out) {
  Vec y(at(rows * out));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t o = 0; o < out; ++o) {
      double sum = bias ? (*bias)[at(o)] : 0.0;
      for (std::int64_t i = 0; i < in; ++i) sum += static_cast<double>(x[at(r * in + i)]) * weight[at(o * in + i)];
      y[at(r * out + o)] = static_cast<float>(sum);
    }
  return y;
}

Vec attention_scores(const Vec& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t dim, std::int64_t heads) {
  const std::int64_t dh = dim / heads;
  Vec y(at(batch * heads * tokens * tokens));
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t h = 0; h < heads; ++h)
      for (std::int64_t q = 0; q < tokens; ++q)
        for (std::int64_t k = 0; k < tokens; ++k) {
          double sum = 0.0;
          for (std::int64_t j = 0; j < dh; ++j)
            sum += static_cast<double>(qkv[at((b * tokens + q) * 3 * dim + h * dh + j)]) *
                   qkv[at((b * tokens + k) * 3 * dim + dim + h * dh + j)];
          y[at(((b * heads + h) * tokens + q) * tokens + k)] = static_cast<float>(sum / std::sqrt(double(dh)));
        }
  return y;
}

Vec attention_context(const Vec& probs, const Vec& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t dim,
                      std::int64_t heads) {
  const std::int64_t dh = dim / heads;
  Vec y(at(batch * tokens * dim));
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t h = 0; h < heads; ++h)
      for (std::int64_t q = 0; q < tokens; ++q)
        for (std::int64_t j = 0; j < dh; ++j) {
          double sum = 0.0;
          for (std::int64_t k = 0; k < tokens; ++k)
            sum += static_cast<double>(probs[at(((b * heads + h) * tokens + q) * tokens + k)]) *
                   qkv[at((b * tokens + k) * 3 * dim + 2 * dim + h * dh + j)];
          y[at((b * tokens + q) * dim + h * dh + j)] = static_cast<float>(sum);
        }
  return y;
}

Vec patch_tokens(const Vec& x, std::int64_t batch, std::int64_t dim, std::int64_t patches, const Vec& cls,
                 const Vec& pos) {
  const std::int64_t tokens = patches + 1;
  Vec y(at(batch * tokens * dim));
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t t = 0; t < tokens; ++t)
      for (std::int64_t d = 0; d < dim; ++d) {
        const float v = t == 0 ? cls[at(d)] : x[at((b * dim + d) * patches + t - 1)];
        y[at((b * tokens + t) * dim + d)] = v + pos[at(t * dim + d)];
      }
  return y;
}

Vec take_token(const Vec& x, std::int64_t batch, std::int64_t tokens, std::int64_t dim, std::int64_t index) {
  Vec y;
  for (std::int64_t b = 0; b < batch; ++b)
    y.insert(y.end(), x.begin() + (b * tokens + index) * dim, x.begin() + (b * tokens + index + 1) * dim);
  return y;
}

}  // namespace sgprs::profiler::reference
