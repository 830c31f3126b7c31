#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/stop_signal.hpp"
#include "loadgen/bench_run.hpp"

namespace seckill::app {

int run_bench(const BenchConfig& config) {
  try {
    return loadgen::run_bench(config, &stop_on_signals());
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "seckill bench: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "seckill bench: {}\n", e.what());
    return 1;
  }
}

}  // namespace seckill::app
