// Fuzz target: layouts, as files (layout_from_json) or as the shorthands full, equal:N:B and
// stepwise:N:B (parse_layout), on the H100's shape (132 SMs: 16 pieces of 8 and a 4-SM
// remainder) and on a GPU without remainder, with and without a max_parallel override.
#include "common/layout.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sgprs::fuzz::run_loader(data, size, [](std::string_view text) {
    const sgprs::GpuShape shapes[] = {{132, 8, 16, 4}, {16, 4, 4, 0}};
    for (const sgprs::GpuShape& gpu : shapes) {
      sgprs::Layout layout;
      if (!text.empty() && text.front() == '{') {
        layout = sgprs::layout_from_json(sgprs::parse_json_text(text, "fuzz.json"), "fuzz.json", gpu);
      } else if (text.rfind("equal:", 0) == 0 || text.rfind("stepwise:", 0) == 0 || text == "full") {
        // Only shorthands: any other text would be looked up as a file name.
        layout = sgprs::parse_layout(std::string(text), gpu, static_cast<int>(text.size() % 5), "--layout");
      } else {
        return;
      }
      (void)layout.budget(gpu);
      (void)layout.shared_sms(gpu);
      (void)layout.to_json().dump();
    }
  });
}
