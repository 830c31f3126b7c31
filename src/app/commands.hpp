#pragma once
// The verbs of the `seckill` binary. Each returns the process's exit code (0 success,
// 1 runtime failure, 2 bad usage or configuration).

#include "app/config.hpp"

namespace seckill::app {

int run_serve(const ServeConfig& config);
int run_migrate(const MigrateConfig& config);
int run_token(const TokenConfig& config);
int run_check(const CheckConfig& config);
int run_bench(const BenchConfig& config);
int run_demo(const DemoConfig& config);
int run_dead_letters(const DeadLettersConfig& config);

}  // namespace seckill::app
