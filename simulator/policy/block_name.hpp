#pragma once
// The name of a moldable block (slot_plan.cpp's moldable_pool): "<partition>.<first piece>+<width>",
// width in pieces. The width is the block's size class: the policy asks for the narrowest class
// that carries a stage, and the one-piece block that the remainder SMs joined (the H200's and the
// H100's last piece: 20 SMs) is still of class 1. `sgprs validate` compares decisions by it.
#include <charconv>
#include <string>

namespace sgprs::sim {

inline std::string moldable_block_name(const std::string& partition, int first_piece, int width) {
  return partition + "." + std::to_string(first_piece) + "+" + std::to_string(width);
}

/// The width in pieces of a moldable block's name; 0 for any other partition name.
inline int moldable_block_width(const std::string& name) {
  const std::size_t plus = name.rfind('+');
  const std::size_t dot = name.rfind('.', plus);
  if (plus == std::string::npos || dot == std::string::npos || plus + 1 >= name.size() || dot + 1 >= plus) return 0;
  for (std::size_t i = dot + 1; i < plus; ++i)
    if (name[i] < '0' || name[i] > '9') return 0;
  int width = 0;
  const char* end = name.data() + name.size();
  const auto [ptr, error] = std::from_chars(name.data() + plus + 1, end, width);
  return error == std::errc() && ptr == end && width > 0 ? width : 0;
}

}  // namespace sgprs::sim
