// The shared progress bar (common/progress_bar.hpp) on a plain file: one line per 10% done, then
// a final line; the sweep's lines ("runs", no label) keep their earlier shape byte for byte.
#include "common/progress_bar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::string> lines_of(std::FILE* file) {
  std::rewind(file);
  std::vector<std::string> lines;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, file) != nullptr) {
    std::string line = buffer;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

TEST(ProgressBar, SweepLinesEveryTenthOnAFile) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    sgprs::ProgressBar bar(20, 0, file);
    for (int i = 0; i < 20; ++i) bar.advance();
    bar.finish();
  }
  const std::vector<std::string> lines = lines_of(file);
  std::fclose(file);
  ASSERT_EQ(lines.size(), 11u);  // 10%, 20%, ..., 100%, then the final line
  // 2 of 20 done: 24 * 2 / 20 = 2 filled cells.
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(\[##\.{22}\] 2/20 runs  [0-9]+\.[0-9] runs/s  (~[0-9hms]+ left|starting))")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[10], std::regex(R"(\[#{24}\] 20/20 runs  [0-9]+\.[0-9] runs/s  [0-9hms]+ in all)")))
      << lines[10];
}

TEST(ProgressBar, ProfilePointsCarryTheirUnitAndLabel) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    sgprs::ProgressBar bar(10, 0, file, true, "points");
    bar.advance(5, "resnet18/layer3 @ 64 SMs");
    bar.advance(5);  // no new label: the last one stays
    bar.finish();
  }
  const std::vector<std::string> lines = lines_of(file);
  std::fclose(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\[#{12}\.{12}\] 5/10 points  [0-9]+\.[0-9] points/s  (~[0-9hms]+ left|starting)  resnet18/layer3 @ 64 SMs)")))
      << lines[0];
  EXPECT_NE(lines[1].find("10/10 points"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].find("resnet18"), std::string::npos) << "the final line names no point: " << lines[2];
}

TEST(ProgressBar, ALongSilenceRedrawsTheBar) {
  // One run of a sweep that takes minutes (a million tasks) drew nothing until it ended: found by
  // tools/hostile_campaign.py as a silent stall. After `heartbeat` without a line the bar is redrawn.
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    sgprs::ProgressBar bar(100, 0, file);
    bar.set_heartbeat(std::chrono::milliseconds(100));
    bar.advance();  // 1 of 100: below the first tenth, so no line of its own
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));
    bar.finish();
  }
  const std::vector<std::string> lines = lines_of(file);
  std::fclose(file);
  ASSERT_GE(lines.size(), 3u) << "at least two heartbeats, then the final line";
  EXPECT_NE(lines[0].find(" 1/100 runs "), std::string::npos) << lines[0];
  EXPECT_NE(lines.back().find(" in all"), std::string::npos) << lines.back();
}

TEST(ProgressBar, DisabledWritesNothing) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    sgprs::ProgressBar bar(4, 0, file, false);
    for (int i = 0; i < 4; ++i) bar.advance();
    bar.finish();
  }
  EXPECT_TRUE(lines_of(file).empty());
  std::fclose(file);
}

}  // namespace
